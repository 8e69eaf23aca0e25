package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.KeyDirectory;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Ordering_Requests a Byzantine site executed, per server, and the servers proven corrupt by
 * them (Lane 2008, section 4.5): logical-machine state, changed only by ordered events, so every
 * correct server of the site holds the same and reaches the same verdicts at the same point.
 *
 * <p>Signatures are checked lazily. A request's update is signed by its client and the link
 * between servers authenticates the submitter, so in the normal case the request's own signature
 * serves only as evidence, and checking it at every server would cost a verification per update
 * per server for nothing. It is checked when evidence is needed: when two executed requests of
 * one server carry one number and different updates. If both signatures hold, the server is
 * proven corrupt; if one does not, that one was forged (by the local leader that ordered it, or
 * by its submitter, which cannot be told apart) and is dropped, and the valid one stands, so a
 * forged request can never frame a correct server.
 *
 * <p>Bounded: the newest {@link OrderingRequest#WINDOW} numbers per server are kept, and a
 * request numbered below a full window is refused (its update still reaches the site through
 * the other servers its client retransmits to); were it executed unchecked, a corrupt server
 * could first move its window up with requests far ahead and then equivocate below it. Nobody
 * but the server itself can move its window: a request more than half a window above the
 * highest number of that server whose signature was checked is checked before it is kept. So
 * unchecked entries stay within half a window of a number the server really signed, the window
 * starts at most half a window below it, and a correct server's pending requests, which it
 * re-issues once half a window old (ServerNode#submitUpdate), never fall below. A correct server
 * pays one check per half window of its requests.
 */
final class OrderingRequests {
    static final int WINDOW = OrderingRequest.WINDOW;

    enum Outcome {
        /** The first request with this number from this server. */
        RECORDED,
        /** The same request again (a retransmission, or a second server relaying it). */
        REPEATED,
        /** This request and one executed before prove the server equivocated. */
        PROVEN,
        /** It conflicts with an executed request and its signature does not hold: dropped as evidence. */
        FORGED,
        /** It conflicts with an executed request whose signature did not hold, and its own holds: it replaces that forgery. */
        FORGERY_REPLACED,
        /** More than half a window above its server's highest checked number, and its signature does not hold: not kept. */
        FORGED_AHEAD,
        /** Numbered below a full window: refused. */
        TOO_OLD,
        /** From a server already proven corrupt: refused. */
        FAULTY
    }

    private final KeyDirectory keys;
    private final Map<ServerId, TreeMap<Long, OrderingRequest>> executed = new TreeMap<>();
    private final SortedMap<ServerId, OrderingRequest.Equivocation> proven = new TreeMap<>();
    /** Per server, the highest number whose signature was checked and held (0: none yet). */
    private final SortedMap<ServerId, Long> checkedHigh = new TreeMap<>();
    /**
     * A running mix of every change, in execution order: the state digest's share of this table.
     * Not a cryptographic hash: the state digest finds correct servers that diverge (our bugs),
     * and a SHA-256 per executed request at every server was a measurable share of the CPU per
     * update; the table itself is compared entry by entry nowhere else.
     */
    private long trail;

    OrderingRequests(KeyDirectory keys) {
        this.keys = keys;
    }

    Outcome onExecuted(OrderingRequest r) {
        if (proven.containsKey(r.server())) return Outcome.FAULTY;
        TreeMap<Long, OrderingRequest> mine = executed.computeIfAbsent(r.server(), k -> new TreeMap<>());
        if (mine.size() >= WINDOW && r.seq() < mine.firstKey()) return Outcome.TOO_OLD;
        OrderingRequest before = mine.get(r.seq());
        if (before == null) {
            // Only the server itself may move its window: far ahead of what it is known to have
            // signed, a request is checked before it is kept.
            if (r.seq() > checkedHigh.getOrDefault(r.server(), 0L) + WINDOW / 2) {
                if (!r.verify(keys)) return Outcome.FORGED_AHEAD;
                checked(r);
            }
            keep(mine, r);
            return Outcome.RECORDED;
        }
        if (before.updateDigest().equals(r.updateDigest())) return Outcome.REPEATED;
        boolean beforeHolds = before.verify(keys), nowHolds = r.verify(keys);
        if (beforeHolds && nowHolds) {
            proven.put(r.server(), new OrderingRequest.Equivocation(before, r));
            executed.remove(r.server()); // nothing more of it will be compared
            change(2, r);
            return Outcome.PROVEN;
        }
        if (!nowHolds) return Outcome.FORGED;
        keep(mine, r); // the one executed before was the forgery
        checked(r);
        return Outcome.FORGERY_REPLACED;
    }

    private void checked(OrderingRequest r) {
        if (r.seq() > checkedHigh.getOrDefault(r.server(), 0L)) checkedHigh.put(r.server(), r.seq());
    }

    private void keep(TreeMap<Long, OrderingRequest> mine, OrderingRequest r) {
        mine.put(r.seq(), r);
        if (mine.size() > WINDOW) mine.pollFirstEntry();
        change(1, r);
    }

    private void change(int kind, OrderingRequest r) {
        long m = trail * 0x9E3779B97F4A7C15L + kind;
        m = m * 0x9E3779B97F4A7C15L + (((long) r.server().site().value() << 32) | r.server().index());
        m = m * 0x9E3779B97F4A7C15L + r.seq();
        m = m * 0x9E3779B97F4A7C15L + java.nio.ByteBuffer.wrap(r.updateDigest().unsafeArray()).getLong();
        trail = m ^ (m >>> 29);
    }

    OrderingRequest.Equivocation proofAgainst(ServerId server) {
        return proven.get(server);
    }

    SortedMap<ServerId, OrderingRequest.Equivocation> proven() {
        return Collections.unmodifiableSortedMap(proven);
    }

    boolean isProvenFaulty(ServerId server) {
        return proven.containsKey(server);
    }

    /** The whole table, for the logical machine's snapshot (issue 18): every request kept, every proof, the checked numbers and the mix. */
    void writeSnapshot(CanonicalWriter w) {
        w.i64(trail).i32(executed.size());
        executed.forEach((server, mine) -> {
            w.server(server).i32(mine.size());
            mine.values().forEach(r -> r.encodeTo(w));
        });
        w.i32(proven.size());
        proven.values().forEach(p -> p.encodeTo(w));
        w.i32(checkedHigh.size());
        checkedHigh.forEach((server, seq) -> w.server(server).i64(seq));
    }

    /** Reads a table {@link #writeSnapshot} wrote into this one, which must be new; at most {@code servers} servers. */
    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r, int servers) throws io.redoubt.lm.codec.DecodeException {
        trail = r.i64();
        int count = r.count(servers, "servers with requests");
        for (int i = 0; i < count; i++) {
            ServerId server = r.server();
            int n = r.count(WINDOW, "requests of one server");
            TreeMap<Long, OrderingRequest> mine = new TreeMap<>();
            for (int k = 0; k < n; k++) {
                OrderingRequest req = OrderingRequest.decode(r);
                if (!req.server().equals(server) || mine.put(req.seq(), req) != null) {
                    throw new io.redoubt.lm.codec.DecodeException("requests snapshot: request " + req.seq() + " of " + req.server() + " under " + server);
                }
            }
            if (executed.put(server, mine) != null) throw new io.redoubt.lm.codec.DecodeException("requests snapshot: " + server + " twice");
        }
        int provenCount = r.count(servers, "servers proven faulty");
        for (int i = 0; i < provenCount; i++) {
            OrderingRequest first = OrderingRequest.decode(r), second = OrderingRequest.decode(r);
            if (!first.server().equals(second.server()) || proven.put(first.server(), new OrderingRequest.Equivocation(first, second)) != null) {
                throw new io.redoubt.lm.codec.DecodeException("requests snapshot: a proof against two servers, or one server twice");
            }
        }
        int checked = r.count(servers, "checked numbers");
        for (int i = 0; i < checked; i++) checkedHigh.put(r.server(), r.nonNegative("checked number"));
    }

    /** What the state digest covers: the mix of every change, and who is proven faulty. */
    void writeState(CanonicalWriter w) {
        w.i64(trail).i32(proven.size());
        proven.keySet().forEach(w::server);
        w.i32(checkedHigh.size());
        checkedHigh.forEach((server, seq) -> w.server(server).i64(seq));
    }
}
