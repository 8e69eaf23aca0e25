package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.VerifiedSignatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * LM timeouts (Lane 2008, section 4.3): how a timer of the wide-area core, which must fire at the
 * same point of the local order at every server, is driven by the servers' own clocks. When the
 * executor arms a wide-area timer, every server starts a local timer for it (one generation per
 * arming). When that expires, the server signs a notice and sends it to the site; the local
 * leader orders a Timeout event once it holds {@code noticesNeeded} notices for the current
 * generation (one for a benign site, f+1 for a Byzantine one, so that at least one correct
 * server's timer expired), and only the ordered event fires the wide-area timer.
 *
 * <p>A server keeps notices only for timers it has armed itself, so a faulty server cannot fill
 * the table with made-up timers; a notice for a timer this server has not armed yet (it is
 * behind) is dropped, and its signer resends it every {@code noticeResendMillis} until the
 * timeout is ordered.
 */
public final class LmTimeouts {
    /** What the component asks of its server. */
    public interface Host {
        /** Sends a notice to every other server of the site. */
        void broadcast(TimeoutNotice notice);

        /** Arms this server's local timer behind wide-area timer {@code timer}. */
        void setTimer(TimerId timer, long delayMillis);

        void cancelTimer(TimerId timer);

        void reject(Object from, Rejection reason, String detail);
    }

    private final ServerId self;
    private final int siteSize;
    private final KeyDirectory keys;
    /** Shared with the logical machine, which checks the same notices when their timeout executes. */
    private final VerifiedSignatures verified;
    private final int noticesNeeded;
    private final long noticeResendMillis;
    private final Host host;
    /** The generation of each wide-area timer this server has armed. */
    private final TreeMap<TimerId, Long> armed = new TreeMap<>();
    private final TreeMap<TimerId, NoticeSet> notices = new TreeMap<>();

    private static final class NoticeSet {
        final long generation;
        final TreeMap<ServerId, TimeoutNotice> bySigner = new TreeMap<>();
        boolean submitted;
        /** This server's local timer expired this many times for the generation (its notice resent each time). */
        int expiries;

        NoticeSet(long generation) {
            this.generation = generation;
        }
    }

    public LmTimeouts(ServerId self, int siteSize, KeyDirectory keys, VerifiedSignatures verified, int noticesNeeded, long noticeResendMillis,
                      Host host) {
        this.self = self;
        this.siteSize = siteSize;
        this.keys = keys;
        this.verified = verified;
        this.noticesNeeded = noticesNeeded;
        this.noticeResendMillis = noticeResendMillis;
        this.host = host;
    }

    /**
     * The executor armed wide-area timer {@code timer} (generation {@code generation}); the local
     * timer starts unless the server is replaying its stored order, when it is re-armed at start.
     */
    public void armed(TimerId timer, long generation, long delayMillis, boolean startLocalTimer) {
        armed.put(timer, generation);
        NoticeSet set = notices.get(timer);
        if (set != null && set.generation < generation) notices.remove(timer);
        if (startLocalTimer) host.setTimer(timer, delayMillis);
    }

    /** The executor disarmed {@code timer}, or its timeout executed. */
    public void disarmed(TimerId timer, boolean stopLocalTimer) {
        armed.remove(timer);
        notices.remove(timer);
        if (stopLocalTimer) host.cancelTimer(timer);
    }

    /** This server's local timer for {@code timer} expired: sign a notice and tell the site. */
    public void onExpired(TimerId timer) {
        Long generation = armed.get(timer);
        if (generation == null) return; // cancelled, or its timeout already executed
        Bytes content = TimeoutNotice.signedContent(self, timer, generation);
        TimeoutNotice notice = new TimeoutNotice(self, timer, generation, keys.scheme().sign(keys.server(self).privateKey(), content));
        host.broadcast(notice);
        verified.rememberOwn(keys, self, content, notice.signature());
        collect(notice);
        NoticeSet set = notices.get(timer);
        if (set != null && set.generation == generation) set.expiries++;
        host.setTimer(timer, noticeResendMillis); // until the timeout is ordered
    }

    /** A notice another server of the site sent; the link vouches for {@code from}. */
    public void onNotice(ServerId from, TimeoutNotice n) {
        if (!from.equals(n.signer())) host.reject(from, Rejection.PROTOCOL_VIOLATION, "timeout notice relayed for " + n.signer());
        else collect(n);
    }

    private void collect(TimeoutNotice n) {
        if (!n.signer().site().equals(self.site()) || n.signer().index() >= siteSize) {
            host.reject(n.signer(), Rejection.NOT_A_MEMBER, "timeout notice from outside the site");
            return;
        }
        if (!verified.verify(keys, n.signer(), n.signedContent(), n.signature())) {
            host.reject(n.signer(), Rejection.BAD_SIGNATURE, "timeout notice signature");
            return;
        }
        // Only the generation this server armed counts. An older one is stale; a newer one this
        // server has not armed yet (it is behind), and its signer resends it until the timeout is
        // ordered. Keeping a newer generation's notices instead would let one faulty server, by
        // signing a notice for a far-future generation, make every correct notice look stale.
        Long generation = armed.get(n.timer());
        if (generation == null || n.generation() != generation) return;
        NoticeSet set = notices.get(n.timer());
        if (set == null || set.generation != generation) {
            set = new NoticeSet(generation);
            notices.put(n.timer(), set);
        }
        set.bySigner.put(n.signer(), n);
    }

    /**
     * For the local leader: the Timeout events now ready to be ordered, each with the notices that
     * prove it (encoded {@link LmEvent.Timeout}s); each generation is handed out once.
     */
    public List<Bytes> readyEvents() {
        return readyEvents(true);
    }

    /**
     * The Timeout events this server submits for ordering now. The local leader submits each as
     * soon as it holds enough notices. Any other server submits one too once its own notice has
     * been resent and the timeout is still not ordered: a leader whose copy of the logical
     * machine has gone astray (it arms other timers, so it never collects notices for ours) or
     * that withholds timeouts is then facing an ordinary submitted request, which the local
     * protocol's own request timer makes it order or lose its leadership. A duplicate executes as
     * a stale generation and changes nothing.
     */
    public List<Bytes> readyEvents(boolean leader) {
        List<Bytes> ready = new ArrayList<>();
        for (Map.Entry<TimerId, NoticeSet> e : notices.entrySet()) {
            NoticeSet set = e.getValue();
            Long active = armed.get(e.getKey());
            if (set.submitted || active == null || active != set.generation || set.bySigner.size() < noticesNeeded) continue;
            // Only where a leader may be Byzantine (f+1 notices needed): a benign leader's copy of the logical machine does not go astray.
            if (!leader && (noticesNeeded == 1 || set.expiries < 2)) continue;
            set.submitted = true;
            List<TimeoutNotice> proof = new ArrayList<>(set.bySigner.values()).subList(0, noticesNeeded);
            ready.add(new LmEvent.Timeout(e.getKey(), set.generation, List.copyOf(proof)).encode());
        }
        return ready;
    }

    /** The wide-area timers this server holds armed. */
    public List<TimerId> armedTimers() {
        return List.copyOf(armed.keySet());
    }

    /** The timers armed and the notices held, for failure reports. */
    public String describe() {
        StringBuilder sb = new StringBuilder("lmTimers=").append(armed).append(" notices={");
        notices.forEach((t, n) -> sb.append(t).append(":g").append(n.generation).append("x").append(n.bySigner.size())
                .append(n.submitted ? "(submitted)" : "").append(' '));
        return sb.append('}').toString();
    }
}
