package io.redoubt.blink;

/**
 * The selection order P of a BLink logical link (Lane 2008, section 4.4.1): the infinite
 * sequence of virtual links a sending logical machine moves through, one step each time its
 * servers decide that the current virtual link is not working.
 *
 * <p>Of the two logical machines, LM_A is the one with more servers (A' &gt;= B'). There are A'
 * series s of LCM(A', B') links each; link i of series s joins server (i + s) mod A' of LM_A with
 * server i mod B' of LM_B, and P takes the series in ascending order modulo A', each from its
 * first link. So LM_B's servers wrap around modulo B' on successive links, and LM_A's shift by
 * one from series to series, which is what keeps any A' - 1 successive links on distinct servers
 * of LM_A (Lemma 4.4.1) and lets the bounds of Table 4.1 hold.
 *
 * <p>The proofs of section 4.4 take A to be the larger machine whichever way messages flow. The
 * order is therefore built by size, not by direction: when the sender is the smaller machine its
 * servers are the wrapping B side. Building it from the sender's side instead lets a crashed
 * server of a 3-server Paxos sender and a faulty server of a 4-server PBFT receiver block three
 * consecutive virtual links where Table 4.1 allows two ({@code SelectionOrderTest} shows it). On
 * equal sizes the sender is A.
 */
public final class SelectionOrder {
    private final int senderServers;
    private final int receiverServers;
    private final boolean senderIsA;
    private final int a;
    private final int b;
    private final int lcm;
    private final int gcd;

    private SelectionOrder(int senderServers, int receiverServers) {
        if (senderServers < 1 || receiverServers < 1) {
            throw new IllegalArgumentException("a logical machine has at least one server: sender " + senderServers + ", receiver " + receiverServers);
        }
        this.senderServers = senderServers;
        this.receiverServers = receiverServers;
        this.senderIsA = senderServers >= receiverServers;
        this.a = Math.max(senderServers, receiverServers);
        this.b = Math.min(senderServers, receiverServers);
        this.gcd = gcd(a, b);
        this.lcm = a / gcd * b;
    }

    /** The order of the logical link from a site of {@code senderServers} servers to one of {@code receiverServers}. */
    public static SelectionOrder between(int senderServers, int receiverServers) {
        return new SelectionOrder(senderServers, receiverServers);
    }

    /** The virtual link at {@code position} (0, 1, 2, ...) of P. */
    public VirtualLink at(long position) {
        if (position < 0) throw new IllegalArgumentException("position must be >= 0, was " + position);
        long series = Math.floorMod(position / lcm, (long) a);
        long i = position % lcm;
        int serverOfA = (int) ((i + series) % a);
        int serverOfB = (int) (i % b);
        return senderIsA ? new VirtualLink(serverOfA, serverOfB) : new VirtualLink(serverOfB, serverOfA);
    }

    /** Link {@code i} of series {@code s}, L(s, i) of section 4.4.1, as (forwarder, peer). */
    public VirtualLink link(int series, int i) {
        if (series < 0 || series >= a || i < 0 || i >= lcm) {
            throw new IllegalArgumentException("L(" + series + ", " + i + ") outside 0.." + (a - 1) + " x 0.." + (lcm - 1));
        }
        return at((long) series * lcm + i);
    }

    /** Links per series: LCM(A', B'). */
    public int seriesLength() {
        return lcm;
    }

    /** Series before P repeats: A'. */
    public int seriesCount() {
        return a;
    }

    /** P repeats after A' series: A' * LCM(A', B') links. */
    public long period() {
        return (long) a * lcm;
    }

    /** GCD(A', B') consecutive series, A' * B' links: every virtual link exactly once (Property 4.4.3). */
    public int blockLength() {
        return a * b;
    }

    /** A': the servers of the larger logical machine. */
    public int serversOfA() {
        return a;
    }

    /** B': the servers of the smaller logical machine. */
    public int serversOfB() {
        return b;
    }

    /** Whether the sender is LM_A, the larger machine (or of equal size). */
    public boolean senderIsA() {
        return senderIsA;
    }

    public int senderServers() {
        return senderServers;
    }

    public int receiverServers() {
        return receiverServers;
    }

    static int gcd(int x, int y) {
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return x;
    }

    @Override
    public String toString() {
        return "SelectionOrder(" + senderServers + " -> " + receiverServers + ", A' = " + a + ", B' = " + b + ")";
    }
}
