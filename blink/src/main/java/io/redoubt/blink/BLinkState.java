package io.redoubt.blink;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.exec.LinkLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The logical links of one logical machine (section 4.4.1) as its executor runs them: an
 * {@link OutgoingLink} to and an {@link IncomingLink} from every other logical machine. Pure and
 * deterministic; every correct server of the site holds the same one after the same events.
 */
public final class BLinkState implements LinkLayer {
    private final BLinkConfig config;
    private final TreeMap<SiteId, OutgoingLink> out = new TreeMap<>();
    private final TreeMap<SiteId, IncomingLink> in = new TreeMap<>();
    private long messagesNumbered;
    private long messagesRefused;

    public BLinkState(SiteId self, Map<SiteId, Integer> siteSizes, BLinkConfig config) {
        this.config = config;
        Integer own = siteSizes.get(self);
        if (own == null) throw new IllegalArgumentException(self + " is not among " + siteSizes.keySet());
        siteSizes.forEach((s, n) -> {
            if (s.equals(self)) return;
            out.put(s, new OutgoingLink(SelectionOrder.between(own, n), config.headTimeoutMillis(), config.headTimeoutMaxMillis(), config.unackedMax()));
            in.put(s, new IncomingLink(config.windowMax()));
        });
    }

    private OutgoingLink out(SiteId to) {
        OutgoingLink l = out.get(to);
        if (l == null) throw new IllegalArgumentException("no logical link to " + to);
        return l;
    }

    private IncomingLink in(SiteId from) {
        IncomingLink l = in.get(from);
        if (l == null) throw new IllegalArgumentException("no logical link from " + from);
        return l;
    }

    @Override
    public long append(SiteId to, Bytes message) {
        long seq = out(to).append(message);
        if (seq < 0) messagesRefused++;
        else messagesNumbered++;
        return seq;
    }

    @Override
    public AckResult onAck(SiteId from, long through) {
        return switch (out(from).onAck(through)) {
            case ADVANCED -> AckResult.ADVANCED;
            case STALE -> AckResult.STALE;
            case BEYOND_SENT -> AckResult.BEYOND_SENT;
        };
    }

    @Override
    public boolean onMessage(SiteId from, long seq) {
        IncomingLink.Result r = in(from).onMessage(seq, Bytes.EMPTY);
        // A copy of a message executed before: the sender did not get our acknowledgement, so the next one is due even if it says nothing new.
        if (r.verdict() == IncomingLink.Verdict.DUPLICATE) in(from).ackAgain();
        return !r.deliver().isEmpty();
    }

    @Override
    public boolean ackDue(SiteId from) {
        return in(from).ackDue();
    }

    @Override
    public long takeAck(SiteId from) {
        return in(from).takeAck();
    }

    @Override
    public Monitoring monitoring(SiteId to) {
        OutgoingLink.Monitoring m = out(to).monitoring();
        return m == null ? null : new Monitoring(m.headSeq(), m.position(), m.timeoutMillis());
    }

    @Override
    public List<Unacked> headExpired(SiteId to) {
        OutgoingLink l = out(to);
        l.onHeadExpired();
        List<Unacked> again = new ArrayList<>();
        for (OutgoingLink.Pending p : l.unacked()) again.add(new Unacked(p.seq(), p.message()));
        return again;
    }

    @Override
    public long ackDelayMillis() {
        return config.ackDelayMillis();
    }

    @Override
    public int forwarder(SiteId to) {
        return out(to).current().forwarder();
    }

    @Override
    public int peer(SiteId to) {
        return out(to).current().peer();
    }

    /** Everything through this number on our link to {@code to} is acknowledged. */
    public long ackedThrough(SiteId to) {
        OutgoingLink l = out.get(to);
        return l == null ? 0 : l.ackedThrough();
    }

    /** Whether our link to {@code to} has everything through {@code through} acknowledged already. */
    public boolean acknowledged(SiteId to, long through) {
        OutgoingLink l = out.get(to);
        return l != null && through <= l.ackedThrough();
    }

    @Override
    public long virtualLinkChanges() {
        long n = 0;
        for (OutgoingLink l : out.values()) n += l.position();
        return n;
    }

    @Override
    public long messagesNumbered() {
        return messagesNumbered;
    }

    @Override
    public long messagesRefused() {
        return messagesRefused;
    }

    @Override
    public void writeState(CanonicalWriter w) {
        w.utf8("blink").i64(messagesNumbered).i64(messagesRefused).i32(out.size());
        out.forEach((s, l) -> {
            w.site(s);
            l.writeState(w);
        });
        w.i32(in.size());
        in.forEach((s, l) -> {
            w.site(s);
            l.writeState(w);
        });
    }
}
