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
    private final SiteId self;
    private final Map<SiteId, Integer> siteSizes;
    private final java.util.Set<SiteId> byzantineSites;
    private final TreeMap<SiteId, OutgoingLink> out = new TreeMap<>();
    private final TreeMap<SiteId, IncomingLink> in = new TreeMap<>();
    private long messagesNumbered;
    private long messagesRefused;
    /** Output batches so far; the link headers of each carry its number. */
    private long outputs;
    /** Whether the output being made resends messages after a move (so every server of a Byzantine site shares in signing it). */
    private boolean resending, outputResends;
    /** Per source, copies of executed messages since our link back to it last moved while it held nothing unacknowledged. */
    private final TreeMap<SiteId, Integer> copiesSinceMove = new TreeMap<>();
    /** Copies of executed messages, while our link back holds nothing unacknowledged, after which that link moves. */
    static final int COPIES_BEFORE_RETURN_MOVE = 3;

    /** Every link on the selection order P, as between Byzantine logical machines. */
    public BLinkState(SiteId self, Map<SiteId, Integer> siteSizes, BLinkConfig config) {
        this(self, siteSizes, siteSizes.keySet(), config);
    }

    /**
     * @param byzantineSites the sites that run a Byzantine fault-tolerant protocol inside: a link
     *     with one at either end follows P; a link between two benign sites has its forwarder
     *     skip peers itself (section 4.4.2)
     */
    public BLinkState(SiteId self, Map<SiteId, Integer> siteSizes, java.util.Set<SiteId> byzantineSites, BLinkConfig config) {
        this.config = config;
        this.self = self;
        this.siteSizes = Map.copyOf(siteSizes);
        this.byzantineSites = java.util.Set.copyOf(byzantineSites);
        Integer own = siteSizes.get(self);
        if (own == null) throw new IllegalArgumentException(self + " is not among " + siteSizes.keySet());
        boolean selfBenign = !byzantineSites.contains(self);
        siteSizes.forEach((s, n) -> {
            if (s.equals(self)) return;
            out.put(s, new OutgoingLink(SelectionOrder.between(own, n), config.headTimeoutMillis(), config.headTimeoutMaxMillis(), config.unackedMax(),
                    selfBenign && !byzantineSites.contains(s)));
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
        else if (seq > 0) messagesNumbered++;
        return seq;
    }

    @Override
    public void noteOutput() {
        outputs++;
        outputResends = resending;
        resending = false;
    }

    /** The number of the output batch being made (its link headers carry it). */
    public long output() {
        return outputs;
    }

    /** Whether the output batch being made resends messages after a move. */
    public boolean outputResends() {
        return outputResends;
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
        IncomingLink.Verdict v = in(from).onMessage(seq);
        if (v == IncomingLink.Verdict.DUPLICATE) {
            // A copy of a message executed before: the sender did not get our acknowledgement, so
            // the next one is due even if it says nothing new. Acknowledgements go back on our
            // own link to the sender, and one that holds nothing unacknowledged has no timeout to
            // move it past a faulty forwarder: every few such copies move it (free, as nothing
            // waits on it).
            in(from).ackAgain();
            OutgoingLink back = out(from);
            if (back.monitoring() == null && copiesSinceMove.merge(from, 1, Integer::sum) >= COPIES_BEFORE_RETURN_MOVE) {
                back.onHeadExpired(); // as after a head timeout: nothing on it answered, so between benign sites both ends move
                copiesSinceMove.remove(from);
            }
        }
        return IncomingLink.executesNow(v);
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
        return m == null ? null : new Monitoring(m.headSeq(), m.position(), m.timeoutMillis(), m.peerTimeoutMillis());
    }

    @Override
    public List<Unacked> peerExpired(SiteId to) {
        out(to).onPeerExpired();
        return resendAll(to);
    }

    /** After a move, everything unacknowledged on the link goes again on the new virtual link. */
    private List<Unacked> resendAll(SiteId to) {
        resending = true;
        List<Unacked> again = new ArrayList<>();
        for (OutgoingLink.Pending p : out(to).unacked()) again.add(new Unacked(p.seq(), p.message()));
        return again;
    }

    @Override
    public List<Unacked> headExpired(SiteId to) {
        out(to).onHeadExpired();
        return resendAll(to);
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

    /** Whether message {@code seq} of the link from {@code from} was executed already. */
    public boolean received(SiteId from, long seq) {
        IncomingLink l = in.get(from);
        return l != null && l.executed(seq);
    }

    /** Whether an acknowledgement to {@code from} is already due (a copy of an executed message adds nothing then). */
    public boolean ackPending(SiteId from) {
        IncomingLink l = in.get(from);
        return l != null && l.ackDue();
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
    public void writeSnapshot(CanonicalWriter w) {
        w.utf8("blink").i64(messagesNumbered).i64(messagesRefused).i64(outputs).bool(resending).bool(outputResends).i32(copiesSinceMove.size());
        copiesSinceMove.forEach((s, n) -> w.site(s).i32(n));
        out.forEach((s, l) -> l.writeSnapshot(w)); // the same sites in the same order at every site of this shape
        in.forEach((s, l) -> l.writeSnapshot(w));
    }

    @Override
    public LinkLayer parseSnapshot(io.redoubt.lm.codec.CanonicalReader r) throws io.redoubt.lm.codec.DecodeException {
        BLinkState read = new BLinkState(self, siteSizes, byzantineSites, config);
        if (!r.utf8(8).equals("blink")) throw new io.redoubt.lm.codec.DecodeException("not a BLink snapshot");
        read.messagesNumbered = r.nonNegative("messages numbered");
        read.messagesRefused = r.nonNegative("messages refused");
        read.outputs = r.nonNegative("outputs");
        read.resending = r.bool();
        read.outputResends = r.bool();
        int copies = r.count(out.size(), "copies since move");
        for (int i = 0; i < copies; i++) {
            SiteId s = r.site();
            if (!out.containsKey(s)) throw new io.redoubt.lm.codec.DecodeException("BLink snapshot names " + s);
            read.copiesSinceMove.put(s, r.i32());
        }
        for (OutgoingLink l : read.out.values()) l.readSnapshot(r, LINK_MESSAGE_BYTES_MAX);
        for (IncomingLink l : read.in.values()) l.readSnapshot(r);
        return read;
    }

    @Override
    public void adoptSnapshot(LinkLayer parsed) {
        BLinkState read = (BLinkState) parsed;
        messagesNumbered = read.messagesNumbered;
        messagesRefused = read.messagesRefused;
        outputs = read.outputs;
        resending = read.resending;
        outputResends = read.outputResends;
        copiesSinceMove.clear();
        copiesSinceMove.putAll(read.copiesSinceMove);
        out.clear();
        out.putAll(read.out);
        in.clear();
        in.putAll(read.in);
    }

    /** The largest wide-area message a snapshot may hold on a link (a wide-area core's messages are far smaller). */
    static final int LINK_MESSAGE_BYTES_MAX = 16 << 20;

    @Override
    public void writeState(CanonicalWriter w) {
        w.utf8("blink").i64(messagesNumbered).i64(messagesRefused).i64(outputs).bool(resending).bool(outputResends).i32(copiesSinceMove.size());
        copiesSinceMove.forEach((s, n) -> w.site(s).i32(n));
        w.i32(out.size());
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
