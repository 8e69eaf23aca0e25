package io.redoubt.lm.server;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.app.StateMachine;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.LmBatchSigner;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.MerkleBatch;
import io.redoubt.lm.crypto.merkle.SingleKeyLmSigner;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.LmHost;
import io.redoubt.lm.exec.LogicalMachine;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.exec.TimeoutNotice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One server of a site, as a pure object: the local ordering core, the logical-machine executor
 * on top of it (which holds the wide-area core), LM timeouts, a simple forwarder-to-peer link
 * between logical machines, and the client entry point. The simulator and the Pekko host drive
 * this same class; it never reads a clock or touches a socket.
 *
 * <p>Flow (Lane 2008, section 4.3, Figure 4.1): every input that can change the wide-area
 * protocol (a client update, a wide-area message, an LM timeout) is submitted to the local core
 * as an {@link LmEvent}; the local core orders it; {@link LogicalMachine} executes the ordered
 * events. Outgoing wide-area messages are signed with the site's key (a benign site) and sent
 * by one forwarder, the local leader, to one peer in the destination site, who submits them
 * for ordering there. BLink proper (forwarder monitoring, cumulative acks) is a later layer;
 * here the wide-area protocol's own retransmissions give reliability, and a retransmitted
 * message goes to the next peer, so a crashed peer cannot block a link.
 */
public final class ServerNode {
    private static final String LOCAL_TIMER = "L:";
    private static final String LM_TIMER = "W:";

    private final ServerId self;
    private final SiteId site;
    private final List<ServerId> siteServers;
    private final Map<SiteId, Integer> siteSizes;
    private final ServerConfig config;
    private final KeyDirectory keys;
    private final ServerIo io;
    private final OrderingCore<ServerId> local;
    private final LogicalMachine lm;

    private boolean replaying;
    private boolean started;
    private boolean draining;
    private final ArrayDeque<Bytes> toSubmit = new ArrayDeque<>();
    private final TreeMap<TimerId, Long> lmTimers = new TreeMap<>();
    private final TreeMap<TimerId, NoticeSet> notices = new TreeMap<>();
    private final TreeMap<SiteId, PeerState> peers = new TreeMap<>();
    private final TreeMap<ClientId, Long> waitingClients = new TreeMap<>();
    private final EnumMap<Rejection, Long> rejections = new EnumMap<>(Rejection.class);
    private final LmBatchSigner lmSigner;
    private long wideMessagesSent;
    private long lmSignatures;

    private static final class NoticeSet {
        final long generation;
        final TreeMap<ServerId, TimeoutNotice> bySigner = new TreeMap<>();
        boolean submitted;

        NoticeSet(long generation) {
            this.generation = generation;
        }
    }

    private static final class PeerState {
        int peerIndex;
        final LinkedHashSet<Bytes> recent = new LinkedHashSet<>();
    }

    /**
     * @param sites every site and its number of servers, in site order
     * @param persisted this server's stable storage, as written through {@link ServerIo#persist}
     */
    public ServerNode(ServerId self, Map<SiteId, Integer> sites, ServerConfig config, CoreFactory localFactory,
                      CoreFactory wideFactory, KeyDirectory keys, StateMachine app, ServerIo io, List<Bytes> persisted) {
        this.self = self;
        this.site = self.site();
        this.siteSizes = new TreeMap<>(sites);
        Integer size = siteSizes.get(site);
        if (size == null || self.index() >= size) throw new IllegalArgumentException(self + " is not in the deployment " + sites);
        List<ServerId> servers = new ArrayList<>();
        for (int i = 0; i < size; i++) servers.add(new ServerId(site, i));
        this.siteServers = List.copyOf(servers);
        this.config = config;
        this.keys = keys;
        this.io = io;
        this.replaying = !persisted.isEmpty();
        this.lmSigner = new SingleKeyLmSigner(keys.scheme(), site, keys.site(site).privateKey());
        this.local = localFactory.create(siteServers, self, new LocalOutbox(), persisted);
        this.lm = new LogicalMachine(site, List.copyOf(siteSizes.keySet()), siteServers, config.lmTimeoutNoticesNeeded(),
                wideFactory, keys, app, new Host());
    }

    /** Starts the server: a restarted one first replays its stored local order to rebuild the logical machine. */
    public void start() {
        if (started) throw new IllegalStateException("start() called twice");
        started = true;
        local.start();
        if (replaying) {
            replaying = false;
            for (Map.Entry<TimerId, LogicalMachine.ActiveTimer> t : lm.activeTimers().entrySet()) {
                io.setTimer(lmTimerId(t.getKey()), t.getValue().delayMillis());
            }
        }
        afterInput();
    }

    // ---------------------------------------------------------------- inputs

    /** A frame from another server; the link vouches for {@code from}. */
    public void onServerFrame(ServerId from, Bytes bytes) {
        Frame frame;
        try {
            frame = Frame.decode(bytes);
        } catch (DecodeException e) {
            reject(from, Rejection.MALFORMED, "frame: " + e.getMessage());
            return;
        }
        if (frame instanceof Frame.Local f) {
            if (!from.site().equals(site)) reject(from, Rejection.NOT_A_MEMBER, "local protocol message from another site");
            else local.onMessage(from, f.message());
        } else if (frame instanceof Frame.Wide f) {
            onWideFrame(from, f);
        } else if (frame instanceof Frame.Notice f) {
            if (!from.equals(f.notice().signer())) reject(from, Rejection.PROTOCOL_VIOLATION, "timeout notice relayed for " + f.notice().signer());
            else collectNotice(f.notice());
        } else {
            reject(from, Rejection.PROTOCOL_VIOLATION, "client frame from a server");
        }
        afterInput();
    }

    /** A frame from a client; the link vouches for {@code from}. */
    public void onClientFrame(ClientId from, Bytes bytes) {
        Frame frame;
        try {
            frame = Frame.decode(bytes);
        } catch (DecodeException e) {
            reject(from, Rejection.MALFORMED, "client frame: " + e.getMessage());
            return;
        }
        if (!(frame instanceof Frame.Request r)) {
            reject(from, Rejection.PROTOCOL_VIOLATION, "clients may only send requests");
            return;
        }
        SignedUpdate u = r.update();
        if (!u.client().equals(from)) {
            reject(from, Rejection.INVALID_REQUEST, "update of " + u.client() + " sent by " + from);
            return;
        }
        if (!from.site().equals(site)) {
            reject(from, Rejection.INVALID_REQUEST, "a client talks to servers of its own site (section 4.2)");
            return;
        }
        if (!lm.verifyClientUpdate(u)) {
            reject(from, Rejection.BAD_SIGNATURE, "client update signature");
            return;
        }
        Map.Entry<Long, Bytes> last = lm.lastReply(u.client());
        if (last != null && u.seq() <= last.getKey()) {
            if (u.seq() == last.getKey()) io.sendToClient(from, new Frame.Reply(from, u.seq(), last.getValue()).encode());
            return; // already executed: answer from the cache, never order it again
        }
        waitingClients.put(from, u.seq());
        toSubmit.add(new LmEvent.ClientUpdate(self, u).encode());
        afterInput();
    }

    /** A timer armed through {@link ServerIo#setTimer} fired. */
    public void onTimer(TimerId id) {
        if (id.kind().startsWith(LOCAL_TIMER)) {
            local.onTimer(new TimerId(id.kind().substring(LOCAL_TIMER.length()), id.arg()));
        } else if (id.kind().startsWith(LM_TIMER)) {
            onLmTimerExpired(new TimerId(id.kind().substring(LM_TIMER.length()), id.arg()));
        }
        afterInput();
    }

    // ---------------------------------------------------------------- wide-area link (forwarder -> peer)

    private void onWideFrame(ServerId from, Frame.Wide f) {
        if (!f.to().equals(site) || f.from().equals(site) || !siteSizes.containsKey(f.from()) || !from.site().equals(f.from())) {
            reject(from, Rejection.PROTOCOL_VIOLATION, "wide-area frame " + f.from() + "->" + f.to() + " from " + from);
            return;
        }
        // The peer checks the path and the site signature before spending local ordering on the
        // message; every server checks them again when the event executes.
        if (lm.verifyWide(f.from(), f.envelope()) instanceof LmMessageVerifier.Rejected r) {
            reject(from, r.reason(), "logical-machine message of " + f.from() + ": " + r.detail());
            return;
        }
        toSubmit.add(new LmEvent.WideMessage(f.from(), f.envelope()).encode());
    }

    /**
     * Sends the wide-area messages of one executed batch: one Merkle tree over the distinct
     * messages, one LM signature on its root, and each message with its path (section 4.6), so a
     * message broadcast to every site and everything else the batch produced cost one signature.
     */
    private void sendWideBatch(List<LmHost.Outgoing> batch) {
        if (replaying || !local.isLeader()) return; // the local leader is the forwarder on every link
        List<Bytes> distinct = new ArrayList<>(new LinkedHashSet<>(batch.stream().map(LmHost.Outgoing::message).toList()));
        MerkleBatch tree = MerkleBatch.of(distinct);
        LmSignature signature = lmSigner.sign(tree.root());
        lmSignatures++;
        List<LmEnvelopePart> envelopes = tree.envelopes(signature);
        for (LmHost.Outgoing o : batch) {
            LmEnvelopePart envelope = envelopes.get(distinct.indexOf(o.message()));
            io.sendToServer(peerFor(o.to(), o.message()), new Frame.Wide(site, o.to(), envelope).encode());
            wideMessagesSent++;
        }
    }

    /** The peer on the link to {@code to}; a message sent again means the last peer may be down. */
    private ServerId peerFor(SiteId to, Bytes message) {
        PeerState p = peers.computeIfAbsent(to, k -> new PeerState());
        Bytes digest = Digests.sha256(message);
        if (!p.recent.add(digest)) {
            p.peerIndex = (p.peerIndex + 1) % siteSizes.get(to);
        } else if (p.recent.size() > config.forwarderRecentMax()) {
            Iterator<Bytes> it = p.recent.iterator();
            it.next();
            it.remove();
        }
        return new ServerId(to, p.peerIndex);
    }

    // ---------------------------------------------------------------- LM timeouts (section 4.3)

    private void onLmTimerExpired(TimerId timer) {
        Long generation = lmTimers.get(timer);
        if (generation == null) return; // cancelled, or its timeout already executed
        Bytes content = TimeoutNotice.signedContent(self, timer, generation);
        TimeoutNotice notice = new TimeoutNotice(self, timer, generation, keys.scheme().sign(keys.server(self).privateKey(), content));
        Bytes frame = new Frame.Notice(notice).encode();
        for (ServerId s : siteServers) if (!s.equals(self)) io.sendToServer(s, frame);
        collectNotice(notice);
        io.setTimer(lmTimerId(timer), config.noticeResendMillis()); // until the timeout is ordered
    }

    private void collectNotice(TimeoutNotice n) {
        if (!n.signer().site().equals(site) || n.signer().index() >= siteServers.size()) {
            reject(n.signer(), Rejection.NOT_A_MEMBER, "timeout notice from outside the site");
            return;
        }
        if (!keys.verify(n.signer(), n.signedContent(), n.signature())) {
            reject(n.signer(), Rejection.BAD_SIGNATURE, "timeout notice signature");
            return;
        }
        // Keep notices only for timers this server has armed: that bounds the table by the wide
        // core's own timers, so a faulty server cannot fill it with made-up ones. A notice for a
        // timer we have not armed yet (we are behind) is dropped; its signer resends it every
        // noticeResendMillis until the timeout is ordered.
        Long armed = lmTimers.get(n.timer());
        if (armed == null || n.generation() < armed) return;
        NoticeSet set = notices.get(n.timer());
        if (set == null || set.generation < n.generation()) {
            set = new NoticeSet(n.generation());
            notices.put(n.timer(), set);
        } else if (set.generation > n.generation()) {
            return; // stale
        }
        set.bySigner.put(n.signer(), n);
    }

    /** The local leader orders an LM timeout once it holds enough notices for the current generation. */
    private void submitReadyTimeouts() {
        if (!local.isLeader()) return;
        for (Map.Entry<TimerId, NoticeSet> e : notices.entrySet()) {
            NoticeSet set = e.getValue();
            Long active = lmTimers.get(e.getKey());
            if (set.submitted || active == null || active != set.generation || set.bySigner.size() < config.lmTimeoutNoticesNeeded()) continue;
            set.submitted = true;
            List<TimeoutNotice> proof = new ArrayList<>(set.bySigner.values()).subList(0, config.lmTimeoutNoticesNeeded());
            toSubmit.add(new LmEvent.Timeout(e.getKey(), set.generation, List.copyOf(proof)).encode());
        }
    }

    private static TimerId lmTimerId(TimerId wideTimer) {
        return new TimerId(LM_TIMER + wideTimer.kind(), wideTimer.arg());
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs after every input: submissions wait until the local core has returned (no re-entry). */
    private void afterInput() {
        if (draining) return;
        draining = true;
        try {
            while (true) {
                submitReadyTimeouts();
                Bytes next = toSubmit.poll();
                if (next == null) break;
                local.submit(next);
            }
        } finally {
            draining = false;
        }
    }

    private void reject(Object from, Rejection reason, String detail) {
        rejections.merge(reason, 1L, Long::sum);
        io.rejected(from, reason, detail);
    }

    private final class LocalOutbox implements Outbox<ServerId> {
        @Override
        public void send(ServerId to, Encodable message) {
            io.sendToServer(to, new Frame.Local(message.encode()).encode());
        }

        @Override
        public void setTimer(TimerId id, long delayMillis) {
            io.setTimer(new TimerId(LOCAL_TIMER + id.kind(), id.arg()), delayMillis);
        }

        @Override
        public void cancelTimer(TimerId id) {
            io.cancelTimer(new TimerId(LOCAL_TIMER + id.kind(), id.arg()));
        }

        @Override
        public void persist(Encodable record) {
            io.persist(record.encode());
        }

        @Override
        public void deliver(long slot, List<Bytes> payloads) {
            lm.execute(payloads);
        }

        @Override
        public void reject(ServerId from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }
    }

    private final class Host implements LmHost {
        @Override
        public void sendWideBatch(List<LmHost.Outgoing> batch) {
            ServerNode.this.sendWideBatch(batch);
        }

        @Override
        public void startLmTimer(TimerId timer, long generation, long delayMillis) {
            lmTimers.put(timer, generation);
            NoticeSet set = notices.get(timer);
            if (set != null && set.generation < generation) notices.remove(timer);
            if (!replaying) io.setTimer(lmTimerId(timer), delayMillis);
        }

        @Override
        public void stopLmTimer(TimerId timer) {
            lmTimers.remove(timer);
            notices.remove(timer);
            if (!replaying) io.cancelTimer(lmTimerId(timer));
        }

        @Override
        public void executed(long globalSeq, SignedUpdate update, Bytes reply) {
            io.executed(globalSeq, update, reply);
        }

        @Override
        public void reply(SignedUpdate update, Bytes reply) {
            if (replaying) return;
            Long waiting = waitingClients.get(update.client());
            if (waiting != null && waiting == update.seq()) {
                waitingClients.remove(update.client());
                io.sendToClient(update.client(), new Frame.Reply(update.client(), update.seq(), reply).encode());
            }
        }

        @Override
        public void rejected(Object from, Rejection reason, String detail) {
            ServerNode.this.reject(from, reason, detail);
        }
    }

    // ---------------------------------------------------------------- read-only views

    public ServerId id() {
        return self;
    }

    public LogicalMachine logicalMachine() {
        return lm;
    }

    public OrderingCore<ServerId> localCore() {
        return local;
    }

    public Map<Rejection, Long> rejections() {
        return java.util.Collections.unmodifiableMap(rejections);
    }

    public long rejectionCount() {
        long n = 0;
        for (long v : rejections.values()) n += v;
        return n;
    }

    /** LM timers this server runs and the notices it holds, for failure reports. */
    public String describeLmTimers() {
        StringBuilder sb = new StringBuilder("lmTimers=").append(lmTimers).append(" active=").append(lm.activeTimers()).append(" notices={");
        notices.forEach((t, n) -> sb.append(t).append(":g").append(n.generation).append("x").append(n.bySigner.size())
                .append(n.submitted ? "(submitted)" : "").append(' '));
        return sb.append("} leader=").append(local.isLeader()).toString();
    }

    public long wideMessagesSent() {
        return wideMessagesSent;
    }

    public long lmSignatures() {
        return lmSignatures;
    }
}
