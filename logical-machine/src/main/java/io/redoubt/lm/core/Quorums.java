package io.redoubt.lm.core;

/**
 * The fault and quorum arithmetic of both protocols and of the logical machine, in one place
 * (Lane 2008, section 4.2): how many faults a group of {@code n} tolerates and how large its
 * quorums are. Paxos and PBFT cores, the threshold signatures of a Byzantine site, LM timeouts,
 * clients and the simulator's adversary budget all ask here; {@code QuorumsPropertyTest} checks
 * every formula against a brute-force oracle.
 */
public final class Quorums {
    private Quorums() {}

    /** Crash faults {@code n} members tolerate with majority quorums: {@code f} of {@code 2f + 1}. */
    public static int crashFaultsTolerated(int n) {
        requireMembers(n);
        return (n - 1) / 2;
    }

    /** Byzantine faults {@code n} members tolerate: {@code f} of {@code 3f + 1}. */
    public static int byzantineFaultsTolerated(int n) {
        requireMembers(n);
        return (n - 1) / 3;
    }

    /** Paxos: the smallest size at which any two quorums of {@code n} members intersect, {@code floor(n / 2) + 1}. */
    public static int majority(int n) {
        requireMembers(n);
        return n / 2 + 1;
    }

    /**
     * PBFT: {@code ceil((n + f + 1) / 2)} with {@code f = byzantineFaultsTolerated(n)}. Any two
     * quorums share at least {@code f + 1} members, so at least one correct member, and the
     * {@code n - f} correct members alone form one. Equals {@code 2f + 1} when {@code n = 3f + 1}.
     */
    public static int byzantineQuorum(int n) {
        int f = byzantineFaultsTolerated(n);
        return (n + f + 2) / 2;
    }

    /**
     * Votes that include at least one correct member when {@code faults} may be Byzantine:
     * {@code f + 1}. A Byzantine site's LM signature (section 4.3: threshold {@code f + 1} of
     * {@code 3f + 1}), its LM timeout notices, and a client's matching replies.
     */
    public static int oneCorrect(int faults) {
        if (faults < 0) throw new IllegalArgumentException("faults must be >= 0, was " + faults);
        return faults + 1;
    }

    /** Members a benign group needs to tolerate {@code f} crashes: {@code 2f + 1}. */
    public static int benignGroupSize(int f) {
        if (f < 0) throw new IllegalArgumentException("f must be >= 0, was " + f);
        return 2 * f + 1;
    }

    /** Members a Byzantine group needs to tolerate {@code f} Byzantine members: {@code 3f + 1}. */
    public static int byzantineGroupSize(int f) {
        if (f < 0) throw new IllegalArgumentException("f must be >= 0, was " + f);
        return 3 * f + 1;
    }

    private static void requireMembers(int n) {
        if (n < 1) throw new IllegalArgumentException("a group needs at least one member, had " + n);
    }
}
