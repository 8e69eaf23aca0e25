package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.Forward;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Fair request queues (Lane 2008, sections 4.4.1 and 4.5; PBFT's request timer, OSDI '99,
 * section 4.5.2): payloads submitted at a member go to every member, which queues them per source
 * and lane (at most {@code pendingPayloadsMax} each) and ages them in request timeouts; the
 * primary takes from the queues round-robin, with at most {@code inFlightSlotsMax} proposals not
 * yet delivered; a payload that waits a full request timeout more makes the member vote the
 * primary out.
 *
 * <p>Lanes ({@link io.redoubt.lm.core.Outbox#lane}) split a source's queue: inside a site, the
 * messages of each incoming BLink logical link have a lane of their own (section 4.4.1: "a queue
 * for each incoming logical link", taken round-robin), so a flood on one link, even one from a
 * compromised logical machine, neither fills the queue the others' messages wait in nor holds
 * them behind it. A queue is keyed by {@code source * LANES + lane}; the wide-area tier and
 * anything else without lanes uses lane 0 only.
 */
final class PbftRequestQueues<N extends Comparable<N>> {
    private final PbftCore<N> core;
    private final PbftConfig config;
    private final int n;

    /** Lanes per source: queue keys are {@code source * LANES + lane}. */
    static final int LANES = 1 << 12;

    /** One queue per source and lane: payload -> its age in request timeouts. */
    final TreeMap<Integer, LinkedHashMap<Bytes, int[]>> queues = new TreeMap<>();
    /** Payloads proposed (or re-proposed by a new view) and not yet delivered here. */
    final LinkedHashSet<Bytes> inFlight = new LinkedHashSet<>();
    /** The source whose turn is next. */
    int roundRobinNext;
    /** Per source, the queue key (lane) whose turn is next within it; absent: its first. */
    final TreeMap<Integer, Integer> laneTurn = new TreeMap<>();
    long timeoutMillis;
    boolean timerArmed;
    /** The view in which we last sent all our own payloads to everyone while changing views. */
    long forwardedForView = -1;
    /** The forward last re-sent by resendOwnWhileChanging: re-sent unchanged while its batch is (a retransmission, not state). */
    private Forward resent;

    PbftRequestQueues(PbftCore<N> core, PbftConfig config, int n) {
        this.core = core;
        this.config = config;
        this.n = n;
        this.timeoutMillis = config.requestTimeoutMillis();
    }

    static int sourceOf(int queueKey) {
        return queueKey / LANES;
    }

    private int keyOf(int source, Bytes payload) {
        int lane = core.out.lane(payload);
        if (lane < 0 || lane >= LANES) lane = 0; // the host's lanes are small numbers; anything else shares lane 0
        return source * LANES + lane;
    }

    /** Adds a payload to its source's queue for its lane; returns whether it is new. */
    boolean enqueue(int source, Bytes payload) {
        int key = keyOf(source, payload);
        LinkedHashMap<Bytes, int[]> q = queues.computeIfAbsent(key, k -> new LinkedHashMap<>());
        if (q.containsKey(payload)) return false;
        if (q.size() >= config.pendingPayloadsMax()) {
            core.reject(source, Rejection.OVERLOADED, "queue of source " + source + ", lane " + key % LANES + " is full (" + q.size() + ")");
            return false;
        }
        q.put(payload, new int[1]);
        return true;
    }

    void onForward(int sender, Forward m) {
        for (Bytes p : m.payloads()) {
            if (p.length() > config.payloadBytesMax()) {
                core.reject(sender, Rejection.INVALID_REQUEST, "forwarded payload exceeds payloadBytesMax");
                return;
            }
            if (!core.out.admits(p)) {
                // Queued, it could be proposed here one day, and the checkers would refuse the whole batch.
                core.reject(sender, Rejection.INVALID_REQUEST, "forwarded payload not admitted");
                continue;
            }
            enqueue(sender, p);
        }
        core.proposeIfLeading();
    }

    /**
     * Takes payloads round-robin (section 4.4.1): sources in turn, one payload each per turn, and
     * within a source its lanes in turn. So a source gets its share however many lanes it fills,
     * and within it no lane waits behind another's backlog.
     */
    List<Bytes> nextBatch() {
        // Per source with anything queued, from the one whose turn it is: its lanes' iterators,
        // from the lane whose turn it is.
        List<Integer> sources = new ArrayList<>();
        List<List<Iterator<Map.Entry<Bytes, int[]>>>> lanes = new ArrayList<>();
        List<List<Integer>> laneKeys = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int src = (roundRobinNext + k) % n;
            int from = laneTurn.getOrDefault(src, src * LANES);
            NavigableMap<Integer, LinkedHashMap<Bytes, int[]>> own = queues.subMap(src * LANES, true, (src + 1) * LANES, false);
            List<Iterator<Map.Entry<Bytes, int[]>>> its = new ArrayList<>();
            List<Integer> keys = new ArrayList<>();
            for (Map<Integer, LinkedHashMap<Bytes, int[]>> part : List.of(own.tailMap(from, true), own.headMap(from, false))) {
                for (Map.Entry<Integer, LinkedHashMap<Bytes, int[]>> q : part.entrySet()) {
                    if (q.getValue().isEmpty()) continue;
                    its.add(q.getValue().entrySet().iterator());
                    keys.add(q.getKey());
                }
            }
            if (its.isEmpty()) continue;
            sources.add(src);
            lanes.add(its);
            laneKeys.add(keys);
        }
        int[] nextLane = new int[sources.size()];
        List<Bytes> batch = new ArrayList<>();
        LinkedHashSet<Bytes> chosen = new LinkedHashSet<>();
        long bytes = 0;
        boolean any = true;
        while (any && batch.size() < config.batchPayloadsMax()) {
            any = false;
            for (int k = 0; k < sources.size() && batch.size() < config.batchPayloadsMax(); k++) {
                int src = sources.get(k);
                List<Iterator<Map.Entry<Bytes, int[]>>> its = lanes.get(k);
                for (int t = 0; t < its.size(); t++) {
                    int l = (nextLane[k] + t) % its.size();
                    Bytes p = nextEligible(its.get(l), src, chosen, bytes);
                    if (p == null) continue;
                    batch.add(p);
                    chosen.add(p);
                    bytes += p.length();
                    any = true;
                    nextLane[k] = l + 1;
                    roundRobinNext = (src + 1) % n;
                    Integer after = queues.higherKey(laneKeys.get(k).get(l));
                    if (after == null || sourceOf(after) != src) laneTurn.remove(src);
                    else laneTurn.put(src, after);
                    break;
                }
            }
        }
        return List.copyOf(batch);
    }

    /** The next payload of one lane that may go in the batch, or null (none left, or the next one does not fit). */
    private Bytes nextEligible(Iterator<Map.Entry<Bytes, int[]>> it, int source, LinkedHashSet<Bytes> chosen, long bytes) {
        while (it.hasNext()) {
            Bytes p = it.next().getKey();
            if (inFlight.contains(p) || chosen.contains(p) || !core.behavior.mayPropose(source, p)) continue;
            return bytes + p.length() > config.batchBytesMax() ? null : p;
        }
        return null;
    }

    /** What waits to be proposed (queued, not in flight): nothing, some, or a full batch by count or bytes. */
    enum Waiting { NONE, SOME, FULL }

    /** One scan of the queues, stopping as soon as the answer is known (the primary asks on every input). */
    Waiting waiting() {
        HashSet<Bytes> counted = null; // a payload may sit in several sources' queues: count it once
        long bytes = 0;
        for (LinkedHashMap<Bytes, int[]> q : queues.values()) {
            for (Bytes p : q.keySet()) {
                if (inFlight.contains(p)) continue;
                if (counted == null) counted = new HashSet<>();
                if (!counted.add(p)) continue;
                bytes += p.length();
                if (counted.size() >= config.batchPayloadsMax() || bytes >= config.batchBytesMax()) return Waiting.FULL;
            }
        }
        return counted == null ? Waiting.NONE : Waiting.SOME;
    }

    /** Whether at least {@code k} distinct payloads wait (queued, not in flight). */
    boolean waitingAtLeast(int k) {
        HashSet<Bytes> counted = new HashSet<>();
        for (LinkedHashMap<Bytes, int[]> q : queues.values()) {
            for (Bytes p : q.keySet()) {
                if (!inFlight.contains(p) && counted.add(p) && counted.size() >= k) return true;
            }
        }
        return false;
    }

    /** A delivered batch leaves the queues; returns whether it held a queued payload (progress). */
    boolean removeDelivered(List<Bytes> batch) {
        boolean progressed = false;
        for (Bytes p : batch) {
            inFlight.remove(p);
            for (LinkedHashMap<Bytes, int[]> q : queues.values()) progressed |= q.remove(p) != null;
        }
        return progressed;
    }

    /** Progress was made: the next request timeout waits the configured time again. */
    void resetTimeout() {
        timeoutMillis = config.requestTimeoutMillis();
    }

    /** A new view starts every payload's wait afresh. */
    void resetAges() {
        for (LinkedHashMap<Bytes, int[]> q : queues.values()) for (int[] age : q.values()) age[0] = 0;
    }

    /**
     * Request timer (PBFT section 4.5.2; Lane 2008, section 4.4.1): every queued payload ages by one
     * per timeout. At age 1 the member passes it to the primary itself (its source may have skipped
     * the primary) and asks a peer for state (it may have missed the ordering); a payload that has
     * waited a whole timeout more makes the member vote the primary out, with a doubled timeout.
     */
    void onTimeout() {
        timerArmed = false;
        if (!core.views.active) return;
        int oldest = 0;
        List<Bytes> relay = new ArrayList<>();
        List<Bytes> mine = new ArrayList<>();
        for (Map.Entry<Integer, LinkedHashMap<Bytes, int[]>> q : queues.entrySet()) {
            for (Map.Entry<Bytes, int[]> e : q.getValue().entrySet()) {
                int age = ++e.getValue()[0];
                oldest = Math.max(oldest, age);
                if (age != 1) continue;
                if (sourceOf(q.getKey()) == core.self) mine.add(e.getKey());
                else if (relay.size() < config.batchPayloadsMax()) relay.add(e.getKey());
            }
        }
        if (oldest >= 2) {
            timeoutMillis = Math.min(timeoutMillis * 2, config.requestTimeoutMaxMillis());
            core.views.startViewChange(core.views.view + 1);
            return;
        }
        if (!relay.isEmpty() && !core.isPrimary()) core.sendTo(core.primaryOf(core.views.view), forward(relay));
        if (!mine.isEmpty()) broadcastForward(mine); // like a PBFT client's retransmission to all replicas
        if (!relay.isEmpty() || !mine.isEmpty()) core.transfer.sendFetch();
    }

    /** Arms the request timer while payloads wait in an installed view, and disarms it otherwise. */
    void updateTimer() {
        boolean waiting = false;
        for (LinkedHashMap<Bytes, int[]> q : queues.values()) waiting |= !q.isEmpty();
        // The primary times its own queues too: a primary that cannot get payloads ordered (its
        // backups moved on to a later view) must move on as well, or it waits alone forever.
        boolean wantRequest = waiting && core.views.active;
        if (wantRequest && !timerArmed) {
            timerArmed = true;
            core.out.setTimer(PbftCore.REQUEST, timeoutMillis);
        } else if (!wantRequest && timerArmed) {
            disarmTimer();
        }
    }

    void disarmTimer() {
        if (timerArmed) {
            timerArmed = false;
            core.out.cancelTimer(PbftCore.REQUEST);
        }
    }

    /**
     * While we wait for a new view, like a PBFT client retransmitting to all replicas: members that
     * never heard of our payloads start their own timers on them, and so join the view change.
     */
    void resendOwnWhileChanging() {
        // All of them once per view change; then, every tick, the oldest batch of them again:
        // the first copies may have been lost (we may be the one member cut off, left alone in
        // a view change the others never needed; then only they can order our payloads, and
        // only if they hear of them). Every tick, beside the view change we re-send, because at
        // the wide-area tier a site's outputs leave through a forwarder that rotates with each
        // re-send; payloads re-sent every k-th tick could keep meeting the same faulty forwarder.
        if (queuedFrom(core.self) == 0) return;
        if (forwardedForView != core.views.view) {
            forwardedForView = core.views.view;
            broadcastForward(new ArrayList<>(own().keySet()));
        } else {
            // Only the oldest batch, the head of each lane in turn: copying the whole queue every
            // tick was a fifth of the time of campaigns whose view changes left long queues waiting.
            List<Bytes> oldest = ownOldest(config.batchPayloadsMax());
            // The same batch as last tick: the same signed forward, re-sent as it was.
            if (!oldest.equals(resent == null ? null : resent.payloads())) resent = forward(oldest);
            core.broadcast(resent);
        }
    }

    /** Up to {@code max} of our own payloads, the oldest of each lane in turn. */
    private List<Bytes> ownOldest(int max) {
        List<Iterator<Bytes>> its = new ArrayList<>();
        for (LinkedHashMap<Bytes, int[]> q : queues.subMap(core.self * LANES, (core.self + 1) * LANES).values()) {
            if (!q.isEmpty()) its.add(q.keySet().iterator());
        }
        List<Bytes> out = new ArrayList<>(max);
        boolean any = true;
        while (any && out.size() < max) {
            any = false;
            for (Iterator<Bytes> it : its) {
                if (out.size() == max || !it.hasNext()) continue;
                out.add(it.next());
                any = true;
            }
        }
        return out;
    }

    /** Our own source's payloads go to the new primary, which may not have them. */
    void forwardOwnToPrimary() {
        LinkedHashMap<Bytes, int[]> mine = own();
        if (mine == null || mine.isEmpty() || core.isPrimary()) return;
        List<Bytes> payloads = new ArrayList<>(mine.keySet());
        for (int i = 0; i < payloads.size(); i += config.batchPayloadsMax()) {
            core.sendTo(core.primaryOf(core.views.view), forward(payloads.subList(i, Math.min(payloads.size(), i + config.batchPayloadsMax()))));
        }
    }

    void broadcastForward(List<Bytes> payloads) {
        for (int i = 0; i < payloads.size(); i += config.batchPayloadsMax()) {
            core.broadcast(forward(payloads.subList(i, Math.min(payloads.size(), i + config.batchPayloadsMax()))));
        }
    }

    /** A forward of {@code payloads}, signed by us. */
    Forward forward(List<Bytes> payloads) {
        return core.sign(new Forward(List.copyOf(payloads), core.self, Bytes.EMPTY));
    }

    /** Our own payloads, all lanes, lane by lane. */
    private LinkedHashMap<Bytes, int[]> own() {
        LinkedHashMap<Bytes, int[]> all = new LinkedHashMap<>();
        for (LinkedHashMap<Bytes, int[]> q : queues.subMap(core.self * LANES, (core.self + 1) * LANES).values()) all.putAll(q);
        return all;
    }

    /** Payloads waiting in the queues of {@code source}, all lanes. */
    int queuedFrom(int source) {
        int size = 0;
        for (LinkedHashMap<Bytes, int[]> q : queues.subMap(source * LANES, (source + 1) * LANES).values()) size += q.size();
        return size;
    }

    /** Our own invariants of the queues: each within its bound, the request timer only in an installed view. */
    void checkInvariants() {
        for (Map.Entry<Integer, LinkedHashMap<Bytes, int[]>> q : queues.entrySet()) {
            if (q.getKey() < 0 || sourceOf(q.getKey()) >= n) throw new IllegalStateException("a queue for member " + sourceOf(q.getKey()) + " of " + n);
            if (q.getValue().size() > config.pendingPayloadsMax()) {
                throw new IllegalStateException("queue of source " + sourceOf(q.getKey()) + ", lane " + q.getKey() % LANES + " holds "
                        + q.getValue().size() + " > pendingPayloadsMax " + config.pendingPayloadsMax());
            }
        }
        if (roundRobinNext < 0 || roundRobinNext >= n) throw new IllegalStateException("round-robin turn " + roundRobinNext + " outside [0, " + n + ")");
        laneTurn.forEach((src, key) -> {
            if (sourceOf(key) != src) throw new IllegalStateException("lane turn " + key + " of source " + src + " is another source's");
        });
        if (timerArmed && !core.views.active) throw new IllegalStateException("request timer armed while changing to view " + core.views.view);
        if (timeoutMillis < config.requestTimeoutMillis() || timeoutMillis > config.requestTimeoutMaxMillis()) {
            throw new IllegalStateException("request timeout " + timeoutMillis + " ms outside [" + config.requestTimeoutMillis() + ", "
                    + config.requestTimeoutMaxMillis() + "]");
        }
    }

    /** The queues' part of the state digest (see PbftCore#stateDigest): payloads in queue order, with their ages. */
    /** Everything, for a snapshot (issue 18): the same as the state digest's part, payloads whole. */
    void writeSnapshot(CanonicalWriter w) {
        writeState(w);
    }

    void readSnapshot(io.redoubt.lm.codec.CanonicalReader r) throws io.redoubt.lm.codec.DecodeException {
        int count = r.count(n * LANES, "request queues");
        for (int i = 0; i < count; i++) {
            int key = r.i32();
            if (key < 0 || key >= n * LANES) throw new io.redoubt.lm.codec.DecodeException("request queue key " + key);
            int size = r.count(config.pendingPayloadsMax(), "queued payloads");
            LinkedHashMap<Bytes, int[]> q = new LinkedHashMap<>();
            for (int k = 0; k < size; k++) q.put(r.bytes(config.payloadBytesMax()), new int[] {r.i32()});
            queues.put(key, q);
        }
        int flying = r.count(config.pendingPayloadsMax() * Math.max(1, n), "payloads in flight");
        for (int i = 0; i < flying; i++) inFlight.add(r.bytes(config.payloadBytesMax()));
        roundRobinNext = r.i32();
        int turns = r.count(n, "lane turns");
        for (int i = 0; i < turns; i++) laneTurn.put(r.i32(), r.i32());
        timeoutMillis = r.i64();
        timerArmed = r.bool();
        forwardedForView = r.i64();
    }

    void writeState(CanonicalWriter w) {
        w.i32(queues.size());
        for (Map.Entry<Integer, LinkedHashMap<Bytes, int[]>> q : queues.entrySet()) {
            w.i32(q.getKey()).i32(q.getValue().size());
            for (Map.Entry<Bytes, int[]> e : q.getValue().entrySet()) w.bytes(e.getKey()).i32(e.getValue()[0]);
        }
        w.i32(inFlight.size());
        for (Bytes p : inFlight) w.bytes(p);
        w.i32(roundRobinNext).i32(laneTurn.size());
        laneTurn.forEach((src, key) -> w.i32(src).i32(key));
        w.i64(timeoutMillis).bool(timerArmed).i64(forwardedForView);
    }
}
