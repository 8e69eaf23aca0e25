package io.redoubt.sim;

import io.redoubt.compose.Deployment;
import io.redoubt.compose.ServerAssembly;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.server.ServerIo;
import io.redoubt.lm.server.ServerNode;
import io.redoubt.lm.server.ServerTimer;
import io.redoubt.lm.sign.CryptoJob;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.sim.adversary.Adversary;
import io.redoubt.sim.net.Cancellable;
import io.redoubt.sim.net.EventLoop;
import io.redoubt.sim.net.LinkSpec;
import io.redoubt.sim.net.Network;
import io.redoubt.sim.net.RandomSource;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A whole deployment (sites of servers, and clients) in one deterministic discrete-event
 * simulation: virtual time, a network with latency, bandwidth, loss, duplication, reordering
 * and partitions, and servers that crash and restart with only what they persisted.
 *
 * <p>A run has two phases, as in TigerBeetle's VOPR: a <b>safety phase</b> in which the fault
 * profile does its worst, then the network heals, every server restarts, and the <b>liveness
 * phase</b> requires every client update to be executed by every server within
 * {@link SimConfig#livenessBoundMillis()}. The checkers of section 4.2 (S1, S2) and the
 * logical-machine check run after every step. A seed reproduces a run exactly; the trace hash
 * summarises everything delivered and executed so that two runs can be compared cheaply.
 *
 * <p>Each frame carries, outside its bytes, the number of wide-area and local-area hops on the
 * causal path that produced it (timers inherit the path of the input that armed them). The
 * count at the moment an update executes at the server its client talked to is the update's
 * round count, compared against Table 4.2.
 */
public final class Simulation {
    private static final int META_BYTES = 8;
    /** Where a frame's meta marks the copy of a twin it is for (hop counts stay far below). */
    private static final int TWIN_COPY_SHIFT = 30;
    /** Ordered events between two comparisons of a server's whole logical-machine state with its site's. */
    private static final long LM_STATE_EVENTS = 64;
    /**
     * Inputs to a server between two runs of its cores' own invariant checks. The checks look at
     * state, and a broken invariant stays broken, so a later check still sees it (the PBFT log
     * checks every slot handed out since its last check); checking every input was a twentieth
     * of a Byzantine campaign's time.
     */
    private static final int INVARIANT_CHECK_INPUTS = 4;

    private final SimConfig config;
    private final EventLoop loop = new EventLoop();
    private final RandomSource random;
    private final RandomSource faultRandom;
    private final Network<Endpoint> network;
    private final Deployment deployment;
    private final KeyDirectory keys;
    /** Builds every server: the same code the Pekko host builds its servers with. */
    private final ServerAssembly assembly;
    private final TreeMap<Endpoint, SimServer> servers = new TreeMap<>();
    /** The second copy of each twinned server (Twins); the first is in {@link #servers}. */
    private final TreeMap<Endpoint, SimServer> twins = new TreeMap<>();
    /** Which copy of a twin each peer hears; null without twins. */
    private final TwinSchedule twinSchedule;
    /** ByzzFuzz round partitions of each mutating server ("s0.1") or compromised site ("site 2"). */
    private final TreeMap<String, RoundPartitions> roundPartitions = new TreeMap<>();
    private final TreeMap<Endpoint, SimClient> clients = new TreeMap<>();
    private final Checkers checkers = new Checkers();
    /** PBFT new views whose quorum carried conflicting certificates from different views ("site 1 view 5", "wide view 3"). */
    private final java.util.TreeSet<String> conflictingNewViews = new java.util.TreeSet<>();
    private final Trace trace = new Trace();
    private final SimMetrics metrics = new SimMetrics();
    /**
     * The distinct wide-area messages (destination and bytes) each site's logical machine output
     * at its correct servers (LmHost#sendWideBatch), for Costs#lmMessages: a message the
     * wide-area protocol sends again is the same logical message, and what carries it again is
     * the link's work.
     */
    private final Map<SiteId, java.util.Set<io.redoubt.lm.exec.LmHost.Outgoing>> lmMessagesProduced = new TreeMap<>();
    private final List<String> faultLog = new ArrayList<>();
    private final BackToBackViewChanges backToBack = new BackToBackViewChanges(new BackToBackHost(), faultLog::add);
    private final List<String> livenessFailures = new ArrayList<>();
    private final ArrayDeque<PendingUpdate> incomplete = new ArrayDeque<>();
    private final Map<Bytes, Long> globalSeqOf = new java.util.HashMap<>();
    /** Byzantine servers and compromised sites: the checkers hold no promise for them. */
    private final AdversaryPlan adversaries;
    private long expectedUpdates;
    /** The server whose input is being processed, to charge its signatures to (Table 4.3); null for clients. */
    private ServerId processing;

    private void countSignature() {
        metrics.signed(processing);
    }

    private void countVerification() {
        metrics.verified(processing);
    }

    // Link faults in force during the safety phase.
    private boolean faultsActive;
    private FaultPlan.LinkFaults linkFaults;
    private long healAtMicros;

    // Causal hop counts of the input being processed.
    private int currentWideHops;
    private int currentLocalHops;

    private ProgressListener progress = (virtualMillis, executed, total) -> {};

    /** Told about progress every half second of virtual time (the demo prints it). */
    @FunctionalInterface
    public interface ProgressListener {
        void progress(long virtualMillis, long updatesExecutedEverywhere, long updatesTotal);
    }

    public Simulation onProgress(ProgressListener listener) {
        this.progress = listener;
        return this;
    }

    /** Updates every correct server must have executed before {@link #mark} is told; -1 once told, or when none is set. */
    private long markUpdates = -1;
    private java.util.function.LongConsumer mark;

    /**
     * Tells {@code listener} once, at the step in which every correct running server has executed
     * at least {@code updates} updates, how many they all have (a runner reads its CPU clock
     * there, to leave a run's warm-up out of its cost). It only observes: the run, its trace and
     * its result are the same with or without it.
     */
    public Simulation onExecutedEverywhere(long updates, java.util.function.LongConsumer listener) {
        this.markUpdates = updates;
        this.mark = listener;
        return this;
    }

    private void checkMark(SimServer after) {
        if (after.node.logicalMachine().executedUpdates() < markUpdates) return; // the others are checked as they execute
        long min = minExecutedEverywhere();
        if (min < markUpdates) return;
        markUpdates = -1;
        mark.accept(min);
    }

    private record PendingUpdate(SignedUpdate update, Bytes digest, long proposedAtMicros) {}

    /** One output of a step whose outputs are held for a mid-step crash: a send, a persist, or anything else. */
    private record Held(int kind, Runnable action) {
        static final int SEND = 0, PERSIST = 1, OTHER = 2;
    }

    /** What the clients need from this simulation. */
    private final class ClientWorld implements SimClient.World {
        @Override
        public long nowMicros() {
            return loop.nowMicros();
        }

        @Override
        public Cancellable schedule(long delayMicros, Runnable action) {
            return loop.schedule(delayMicros, action);
        }

        @Override
        public void clientSigns() {
            processing = null;
        }

        @Override
        public void proposed(SignedUpdate update) {
            checkers.proposed(update);
            incomplete.addLast(new PendingUpdate(update, Checkers.updateDigest(update), loop.nowMicros()));
        }

        @Override
        public void send(Endpoint from, Endpoint to, Bytes frame) {
            currentWideHops = 0;
            currentLocalHops = 0;
            Simulation.this.send(from, to, frame, false);
        }

        @Override
        public void completed(long latencyMicros) {
            metrics.latenciesMicros.add(latencyMicros);
        }
    }

    public Simulation(SimConfig config) {
        this.config = config;
        this.random = new RandomSource(config.seed());
        this.faultRandom = random.fork("faults");
        this.keys = new KeyDirectory(new CountingScheme(SignatureScheme.named(config.signatureScheme()), this::countSignature, this::countVerification),
                Bytes.wrap(ByteBuffer.allocate(8).putLong(config.seed()).array()));
        this.network = new Network<>(loop, random.fork("network"), new Topology(), this::receive);
        this.deployment = config.deployment();
        // Test code only: f signers instead of f+1, so one faulty server speaks for its site.
        UnaryOperator<LmKeyring.SiteSpec> specs = config.weakLmSignatures()
                ? spec -> spec.kind() == LmKeyring.Kind.SITE_KEY ? spec : new LmKeyring.SiteSpec(spec.servers(), spec.faults() - 1, spec.kind())
                : UnaryOperator.identity();
        this.assembly = new ServerAssembly(deployment, keys, KeyValueStore::new, specs,
                config.signatureScheme().equals("simulated") ? SharedThresholdKeys.STAND_IN : SharedThresholdKeys.INSTANCE);
        if (!config.plantedAdversaries().isEmpty()) adversaries = AdversaryPlan.planted(deployment, config.plantedAdversaries());
        else if (config.faults() == FaultProfile.BYZANTINE) adversaries = AdversaryPlan.draw(deployment, random.fork("adversaries"));
        else if (config.faults() == FaultProfile.BYZANTINE_LINKS) adversaries = AdversaryPlan.drawLinks(deployment, random.fork("adversaries"));
        else adversaries = AdversaryPlan.none();
        faultLog.addAll(adversaries.log());
        long safetyEndMicros = config.faults() == FaultProfile.NONE ? 0 : config.safetyPhaseMillis() * 1000;
        SimClient.World clientWorld = new ClientWorld();
        boolean anyTwin = false;
        for (SiteId site : deployment.siteIds()) {
            int s = site.value();
            for (int i = 0; i < deployment.serversAt(site); i++) {
                ServerId id = ServerId.of(s, i);
                Adversary a = adversaries.of(id);
                if (a == Adversary.MUTATOR || a == Adversary.MUTATOR_SITE) {
                    String who = mutatorKey(id, a);
                    boolean local = a == Adversary.MUTATOR;
                    if (!roundPartitions.containsKey(who)) {
                        roundPartitions.put(who, new RoundPartitions(who, local ? s : -1, local ? deployment.serversAt(site) : deployment.sites(),
                                local ? i : s, random.fork("byzzfuzz partitions " + who), loop::nowMicros, faultLog::add));
                    }
                }
                servers.put(Endpoint.of(id), new SimServer(id, 0));
                if (a != null && a.twinned()) {
                    twins.put(Endpoint.of(id), new SimServer(id, 1));
                    anyTwin = true;
                }
            }
            // A compromised site's clients are its accomplices or its victims: no promise holds for them (section 4.2).
            if (adversaries.isCompromised(s)) continue;
            for (int c = 0; c < config.clientsPerSite() && (config.clientSite() < 0 || config.clientSite() == s); c++) {
                ClientId id = ClientId.of(s, c);
                clients.put(Endpoint.of(id), new SimClient(id, deployment, keys, random.fork("client " + id), config.updatesPerClient(),
                        config.clientThinkMillis(), clientWorld));
            }
        }
        expectedUpdates = (long) clients.size() * config.updatesPerClient();
        twinSchedule = anyTwin ? new TwinSchedule(random.fork("twins"), safetyEndMicros) : null;
    }

    /** Who a ByzzFuzz adversary is: one server, or every server of a compromised site acting as one. */
    private static String mutatorKey(ServerId id, Adversary a) {
        return a == Adversary.MUTATOR_SITE ? "site " + id.site().value() : Endpoint.of(id).toString();
    }

    /** A twin group: one twinned server, or a whole twinned site whose copies form two logical machines. */
    private String twinGroup(Endpoint e) {
        return adversaries.of(e.server()) == Adversary.TWIN_SITE ? "site " + e.site() : e.toString();
    }

    // ---------------------------------------------------------------- running

    /** Runs both phases and reports. Never throws because of what the protocols did. */
    public SimResult run() {
        long safetyEndMicros = config.faults() == FaultProfile.NONE ? 0 : config.safetyPhaseMillis() * 1000;
        healAtMicros = safetyEndMicros;
        for (SimServer s : servers.values()) s.boot();
        for (SimServer s : twins.values()) s.boot();
        RandomSource clientStart = random.fork("client-start");
        for (SimClient c : clients.values()) {
            // With a think time set, clients also wait that long for start-up (the leaders' first
            // phase 1) to finish, so that nothing but their own updates is in flight.
            long startMicros = config.clientThinkMillis() > 0 ? config.clientThinkMillis() * 1000 : clientStart.between(0, 20_000);
            loop.schedule(startMicros, c::next);
        }
        if (safetyEndMicros > 0) loop.scheduleAt(safetyEndMicros, this::heal);

        String stopReason = null;
        if (config.faults() == FaultProfile.BENIGN || config.faults() == FaultProfile.BYZANTINE || config.faults() == FaultProfile.BYZANTINE_LINKS) {
            planBenignFaults(safetyEndMicros);
        }
        long hardStopMicros = safetyEndMicros + 60_000_000L + expectedUpdates * 2_000_000L;
        while (true) {
            long chunkEnd = loop.nowMicros() + 500_000;
            boolean done = loop.runUntil(this::finished, chunkEnd);
            if (!done && loop.pending() > 0) loop.runUntil(chunkEnd); // nothing due before chunkEnd: advance the clock
            if (!checkers.violations().isEmpty()) {
                stopReason = "safety violation";
                break;
            }
            settleCompleted();
            progress.progress(loop.nowMicros() / 1000, minExecutedEverywhere(), expectedUpdates);
            if (done) break;
            if (loop.pending() == 0) {
                livenessFailures.add("nothing left to do at t=" + loop.nowMicros() / 1000 + "ms but the run is not finished (" + describeUnfinished() + ")");
                break;
            }
            if (loop.nowMicros() > healAtMicros) {
                PendingUpdate oldest = incomplete.peekFirst();
                if (oldest != null) {
                    long deadline = Math.max(oldest.proposedAtMicros, healAtMicros) + config.livenessBoundMillis() * 1000;
                    if (loop.nowMicros() > deadline) {
                        livenessFailures.add(oldest.update + " proposed at t=" + oldest.proposedAtMicros / 1000
                                + "ms was not executed by every server within " + config.livenessBoundMillis()
                                + "ms after the network healed (" + describeLaggards(oldest) + ")");
                        break;
                    }
                }
                // Holding no update for longer than the liveness bound: not thinking between two updates, stalled.
                long stalledClients = clients.values().stream().filter(c -> !c.finished() && c.current == null
                        && loop.nowMicros() - c.idleSinceMicros > config.livenessBoundMillis() * 1000).count();
                if (stalledClients > 0 && incomplete.isEmpty() && loop.nowMicros() > healAtMicros + config.livenessBoundMillis() * 1000) {
                    livenessFailures.add(stalledClients + " clients stalled without an outstanding update");
                    break;
                }
            }
            if (loop.nowMicros() > hardStopMicros) {
                livenessFailures.add("run exceeded its virtual-time budget of " + hardStopMicros / 1000 + "ms");
                break;
            }
        }
        return result(stopReason);
    }

    /** Who keeps a run from finishing: clients still proposing, servers short of every update. */
    private String describeUnfinished() {
        StringBuilder sb = new StringBuilder();
        long waiting = clients.values().stream().filter(c -> !c.finished()).count();
        sb.append(waiting).append(" clients unfinished");
        for (SimServer s : servers.values()) {
            if (adversaries.isFaulty(s.id)) continue;
            long executed = s.up ? s.node.logicalMachine().executedUpdates() : -1;
            if (executed < expectedUpdates) {
                sb.append("; ").append(s.id).append(s.up ? " at " + executed + "/" + expectedUpdates + " local " + s.node.localCore().describe()
                        + " wide " + s.node.logicalMachine().wideCore().describe() + " " + s.node.describeLmTimers() : " down");
            }
        }
        return sb.toString();
    }

    private boolean finished() {
        if (!checkers.violations().isEmpty()) return true;
        for (SimClient c : clients.values()) if (!c.finished()) return false;
        for (SimServer s : servers.values()) {
            if (adversaries.isFaulty(s.id)) continue;
            if (!s.up || s.node.logicalMachine().executedUpdates() < expectedUpdates) return false;
        }
        return true;
    }

    /** Drops updates that every server has executed from the liveness watch list. */
    private void settleCompleted() {
        long minExecuted = Long.MAX_VALUE;
        for (SimServer s : servers.values()) {
            if (adversaries.isFaulty(s.id)) continue;
            minExecuted = Math.min(minExecuted, s.up ? s.node.logicalMachine().executedUpdates() : -1);
        }
        while (!incomplete.isEmpty()) {
            Long seq = globalSeqOf.get(incomplete.peekFirst().digest);
            if (seq == null || seq > minExecuted) break;
            incomplete.pollFirst();
        }
        // Out-of-order completion: rotate finished ones out from behind a slow head.
        if (!incomplete.isEmpty()) {
            ArrayDeque<PendingUpdate> keep = new ArrayDeque<>();
            for (PendingUpdate p : incomplete) {
                Long seq = globalSeqOf.get(p.digest);
                if (seq == null || seq > minExecuted) keep.add(p);
            }
            incomplete.clear();
            incomplete.addAll(keep);
        }
    }

    private long minExecutedEverywhere() {
        long min = Long.MAX_VALUE;
        for (SimServer s : servers.values()) {
            if (!adversaries.isFaulty(s.id)) min = Math.min(min, s.up ? s.node.logicalMachine().executedUpdates() : 0);
        }
        return min;
    }

    private String describeLaggards(PendingUpdate p) {
        Long seq = globalSeqOf.get(p.digest);
        StringBuilder sb = new StringBuilder(seq == null ? "never ordered" : "global seq " + seq);
        for (SimServer s : servers.values()) {
            if (s.up && s.id.index() == 0) sb.append("; site ").append(s.id.site().value()).append(" wide ").append(s.node.logicalMachine().wideCore().describe())
                    .append(' ').append(s.node.describeLmTimers());
        }
        int shown = 0;
        for (SimServer s : servers.values()) {
            if (adversaries.isFaulty(s.id)) continue;
            long executed = s.up ? s.node.logicalMachine().executedUpdates() : -1;
            if (seq == null || executed < seq) {
                if (shown++ < 4) {
                    sb.append("; ").append(s.id).append(s.up ? " at " + executed + " after " + s.node.logicalMachine().executedEvents()
                            + " events, local " + s.node.localCore().describe() + " wide " + s.node.logicalMachine().wideCore().describe() : " down");
                    SimServer ahead = furthestPeer(s.id);
                    if (ahead != null) {
                        sb.append(" (its site's furthest, ").append(ahead.id).append(", after ").append(ahead.node.logicalMachine().executedEvents())
                                .append(" events, local ").append(ahead.node.localCore().describe()).append(')');
                    }
                }
            }
        }
        return sb.toString();
    }

    /** The correct, running server of {@code id}'s site that executed the most events: what a laggard should catch up to. */
    private SimServer furthestPeer(ServerId id) {
        SimServer best = null;
        for (SimServer s : servers.values()) {
            if (!s.id.site().equals(id.site()) || s.id.equals(id) || !s.up || adversaries.isFaulty(s.id)) continue;
            if (best == null || s.node.logicalMachine().executedEvents() > best.node.logicalMachine().executedEvents()) best = s;
        }
        return best;
    }

    private void heal() {
        faultsActive = false;
        network.heal();
        faultLog.add("t=" + loop.nowMicros() / 1000 + "ms heal: network whole, faults stop, every server up");
        for (SimServer s : servers.values()) if (!s.up) s.restart();
        for (SimServer s : twins.values()) if (!s.up) s.restart();
    }

    // ---------------------------------------------------------------- faults

    /** Draws this seed's benign faults (lossy links, a handful of crashes and partitions) and schedules them. */
    private void planBenignFaults(long safetyEndMicros) {
        FaultPlan plan = FaultPlan.draw(faultRandom, deployment, safetyEndMicros, config.faultMix());
        faultsActive = true;
        linkFaults = plan.links();
        if (!config.faultMix().equals(FaultMix.DEFAULT)) {
            faultLog.add(config.faultMix().intensity().cliName() + " faults of kinds " + config.faultMix().kindsCliValue());
        }
        faultLog.add(linkFaults.describe());
        for (FaultPlan.Event e : plan.events()) {
            loop.scheduleAt(e.atMicros(), () -> applyFault(e, Math.min(e.durationMicros(), Math.max(0, healAtMicros - loop.nowMicros()))));
        }
    }

    private void applyFault(FaultPlan.Event e, long durationMicros) {
        if (!faultsActive) return;
        String t = "t=" + loop.nowMicros() / 1000 + "ms ";
        int site = e.site();
        switch (e.kind()) {
            case CRASH_SERVER -> {
                SimServer s = servers.get(new Endpoint(false, site, e.index() % deployment.serversAt(new SiteId(site))));
                if (s.up) crashFor(s, t + "crash " + s.id, durationMicros);
            }
            case CRASH_LOCAL_LEADER -> {
                SimServer leader = localLeaderOf(site);
                if (leader != null) crashFor(leader, t + "crash local leader " + leader.id, durationMicros);
            }
            case CUT_SITE_OFF -> partitionFor((a, b) -> (a.site() == site) == (b.site() == site), t + "cut site " + site + " off until the heal",
                    durationMicros);
            case KEEP_SERVER_DOWN -> {
                SimServer s = servers.get(new Endpoint(false, site, e.index() % deployment.serversAt(new SiteId(site))));
                if (s.up) crashFor(s, t + "crash " + s.id + ", kept down until the heal", durationMicros);
            }
            case CRASH_MID_STEP -> {
                // The crash comes inside the server's next step that has two outputs or more (SimServer.endStep).
                SimServer s = servers.get(new Endpoint(false, site, e.index() % deployment.serversAt(new SiteId(site))));
                if (s.up && s.midStepCrashMicros < 0) {
                    s.midStepCrashMicros = e.durationMicros();
                    faultLog.add(t + "arm a mid-step crash of " + s.id);
                }
            }
            case ISOLATE_SITE -> partitionFor((a, b) -> (a.site() == site) == (b.site() == site), t + "isolate site " + site, durationMicros);
            case ISOLATE_WIDE_LEADER_SITE -> {
                int leaderSite = wideLeaderSite();
                partitionFor((a, b) -> (a.site() == leaderSite) == (b.site() == leaderSite), t + "isolate wide-area leader site " + leaderSite,
                        durationMicros);
            }
            case CUT_LOCAL_LEADER -> {
                int n = deployment.serversAt(new SiteId(site));
                SimServer leader = localLeaderOf(site);
                if (leader != null && n > 1) {
                    int other = (leader.id.index() + 1 + e.index() % (n - 1)) % n;
                    Endpoint a = leader.endpoint;
                    Endpoint b = new Endpoint(false, site, other);
                    partitionFor((x, y) -> !((x.equals(a) && y.equals(b)) || (x.equals(b) && y.equals(a))),
                            t + "cut local leader " + leader.id + " from " + b, durationMicros);
                }
            }
            case BACK_TO_BACK_VIEW_CHANGES -> {
                BackToBackViewChanges.Group g = pbftGroup(e);
                if (g != null) backToBack.start(g, e.index());
                else faultLog.add(t + "back-to-back view changes: no PBFT group in this composition");
            }
            case SPLIT_SITES -> {
                int cut = 1 + (deployment.sites() > 1 ? site % (deployment.sites() - 1) : 0);
                partitionFor((a, b) -> (a.site() < cut) == (b.site() < cut), t + "partition sites [0.." + (cut - 1) + "] | [" + cut + "..]",
                        durationMicros);
            }
        }
    }

    /**
     * The PBFT group a back-to-back view-change schedule aims at: the first BFT site from the
     * event's site on, or the sites when the wide area runs BFT (odd server index, or no BFT site).
     */
    private BackToBackViewChanges.Group pbftGroup(FaultPlan.Event e) {
        int site = -1;
        for (int k = 0; k < deployment.sites() && site < 0; k++) {
            int s = (e.site() + k) % deployment.sites();
            if (deployment.localAt(new SiteId(s)).byzantine()) site = s;
        }
        boolean wide = deployment.composition().wide().byzantine() && (site < 0 || e.index() % 2 == 1);
        if (wide) {
            return new BackToBackViewChanges.Group() {
                public String name() { return "the wide area"; }
                public int size() { return deployment.sites(); }
                public int memberOf(Endpoint x) { return x.client() ? -1 : x.site(); }
                public long view(int m) {
                    SimServer s = correctUpServer(m, -1);
                    return s == null ? -1 : s.node.logicalMachine().wideCore().view();
                }
                public boolean active(int m) {
                    SimServer s = correctUpServer(m, -1);
                    return s != null && !(unguarded(s.node.logicalMachine().wideCore()) instanceof io.redoubt.bft.PbftCore<?> p && !p.isViewActive());
                }
                public long delivered(int m) {
                    SimServer s = correctUpServer(m, -1);
                    return s == null ? -1 : s.node.logicalMachine().wideCore().deliveredThrough();
                }
                public int leaderSeenBy(int m) { return correctUpServer(m, -1).node.logicalMachine().wideCore().leader().value(); }
                public long requestTimeoutMicros() { return deployment.effectiveWidePbft().requestTimeoutMillis() * 1000; }
            };
        }
        if (site < 0) return null;
        int at = site;
        return new BackToBackViewChanges.Group() {
            public String name() { return "site " + at; }
            public int size() { return deployment.serversAt(new SiteId(at)); }
            public int memberOf(Endpoint x) { return !x.client() && x.site() == at ? x.index() : -1; }
            public long view(int m) {
                SimServer s = correctUpServer(at, m);
                return s == null ? -1 : s.node.localCore().view();
            }
            public boolean active(int m) {
                SimServer s = correctUpServer(at, m);
                return s != null && !(unguarded(s.node.localCore()) instanceof io.redoubt.bft.PbftCore<?> p && !p.isViewActive());
            }
            public long delivered(int m) {
                SimServer s = correctUpServer(at, m);
                return s == null ? -1 : s.node.localCore().deliveredThrough();
            }
            public int leaderSeenBy(int m) { return correctUpServer(at, m).node.localCore().leader().index(); }
            public long requestTimeoutMicros() { return deployment.effectiveLocalPbft().requestTimeoutMillis() * 1000; }
        };
    }

    /** A correct running server of {@code site} (index {@code index}, or any if -1), or null. */
    private SimServer correctUpServer(int site, int index) {
        for (SimServer s : servers.values()) {
            if (s.id.site().value() == site && (index < 0 || s.id.index() == index) && s.up && !adversaries.isFaulty(s.id)) return s;
        }
        return null;
    }

    private final class BackToBackHost implements BackToBackViewChanges.Host {
        public long nowMicros() { return loop.nowMicros(); }
        public boolean faultsActive() { return faultsActive; }
        public void schedule(long delayMicros, Runnable action) { loop.schedule(delayMicros, action); }
        public void partition(java.util.function.BiPredicate<Endpoint, Endpoint> connected, String what) {
            faultLog.add(what);
            metrics.partitions++;
            network.partition(connected);
        }
        public void heal(String what) {
            faultLog.add(what);
            network.heal();
        }
    }

    /** Counts each PBFT new view whose quorum carried conflicting certificates, once, as a correct server installs it. */
    private void noteConflictingNewViews(ServerId id, ServerNode node) {
        if (unguarded(node.localCore()) instanceof io.redoubt.bft.PbftCore<?> p && p.lastConflictingNewView() >= 0) {
            noteConflict("site " + id.site().value() + " view " + p.lastConflictingNewView());
        }
        if (unguarded(node.logicalMachine().wideCore()) instanceof io.redoubt.bft.PbftCore<?> p && p.lastConflictingNewView() >= 0) {
            noteConflict("wide view " + p.lastConflictingNewView());
        }
    }

    /** The core behind a server's re-entry guard. */
    private static Object unguarded(io.redoubt.lm.core.OrderingCore<?> core) {
        return core instanceof io.redoubt.lm.core.ReentryGuard<?> g ? g.inner() : core;
    }

    private void noteConflict(String which) {
        if (conflictingNewViews.add(which)) {
            faultLog.add("t=" + loop.nowMicros() / 1000 + "ms prepared certificates from different views met in the new view of " + which);
        }
    }

    /** The running server of {@code site} that believes it leads its local protocol, or null. */
    private SimServer localLeaderOf(int site) {
        for (SimServer s : servers.values()) {
            if (s.id.site().value() == site && s.up && s.node.localCore().isLeader()) return s;
        }
        return null;
    }

    private void crashFor(SimServer s, String what, long durationMicros) {
        faultLog.add(what + " for " + durationMicros / 1000 + "ms");
        s.crash();
        loop.schedule(durationMicros, () -> { if (faultsActive && !s.up) s.restart(); });
    }

    private void partitionFor(java.util.function.BiPredicate<Endpoint, Endpoint> connected, String what, long durationMicros) {
        faultLog.add(what + " for " + durationMicros / 1000 + "ms");
        metrics.partitions++;
        network.partition(connected);
        loop.schedule(durationMicros, () -> { if (faultsActive) network.heal(); });
    }

    private int wideLeaderSite() {
        for (SimServer s : servers.values()) {
            if (s.up) return s.node.logicalMachine().wideCore().leader().value();
        }
        return 0;
    }

    // ---------------------------------------------------------------- network

    private final class Topology implements Network.Topology<Endpoint> {
        @Override
        public LinkSpec spec(Endpoint from, Endpoint to) {
            boolean lan = from.site() == to.site();
            LinkSpec base = lan ? LinkSpec.lan() : LinkSpec.wan(deployment.wanLatencyMicros(), deployment.wanBandwidthBitsPerSecond());
            if (!faultsActive) return base;
            return base.withLoss(linkFaults.lossProbability()).withDuplicates(linkFaults.duplicateProbability())
                    .withJitter(lan ? linkFaults.lanJitterMicros() : linkFaults.wanJitterMicros());
        }

        @Override
        public Object pipeOf(Endpoint from, Endpoint to) {
            // All servers of a site share its WAN uplink to each other site (the paper's 10 Mbit/s links).
            if (from.site() != to.site()) return "wan " + from.site() + ">" + to.site();
            return List.of(from, to);
        }
    }

    private void send(Endpoint from, Endpoint to, Bytes frame, boolean countHop) {
        send(from, 0, to, frame, countHop);
    }

    /**
     * Sends from copy {@code fromCopy} of {@code from} (0 unless it is a twin). A twin's copy
     * reaches a peer only if that peer hears that copy now; what goes to a twin is marked for one
     * copy (the same-numbered copy of a twin sender), in the top bits of the wide-hop count.
     */
    private void send(Endpoint from, int fromCopy, Endpoint to, Bytes frame, boolean countHop) {
        if (faultsActive && !roundPartitions.isEmpty()) {
            for (RoundPartitions p : roundPartitions.values()) if (p.cuts(from, to)) return;
        }
        int toCopy = 0;
        if (twinSchedule != null) {
            boolean fromTwin = twins.containsKey(from);
            boolean toTwin = twins.containsKey(to);
            if (fromTwin && !toTwin && twinSchedule.side(to, twinGroup(from), loop.nowMicros()) != fromCopy) return;
            if (toTwin) toCopy = fromTwin ? fromCopy : twinSchedule.side(from, twinGroup(to), loop.nowMicros());
        }
        int wide = currentWideHops;
        int local = currentLocalHops;
        if (countHop && !from.client() && !to.client()) {
            if (from.site() == to.site()) local++;
            else wide++;
        }
        if (from.site() == to.site()) {
            metrics.localFrames++;
            metrics.localFrameBytes += frame.length();
        } else {
            metrics.wideFrames++;
            metrics.wideFrameBytes += frame.length();
        }
        byte[] framed = new byte[META_BYTES + frame.length()];
        ByteBuffer.wrap(framed).putInt(wide | toCopy << TWIN_COPY_SHIFT).putInt(local).put(frame.unsafeArray());
        network.send(from, to, framed);
    }

    private void receive(Endpoint from, Endpoint to, byte[] framed) {
        ByteBuffer b = ByteBuffer.wrap(framed);
        int wideAndCopy = b.getInt();
        currentWideHops = wideAndCopy & ((1 << TWIN_COPY_SHIFT) - 1);
        currentLocalHops = b.getInt();
        Bytes frame = Bytes.wrap(java.util.Arrays.copyOfRange(framed, META_BYTES, framed.length));
        trace.delivered(loop.nowMicros(), from, to, frame);
        if (to.client()) {
            processing = null; // what a client verifies is not a server's cost
            SimClient c = clients.get(to);
            if (c != null) c.onFrame(from, frame);
        } else {
            SimServer s = (wideAndCopy >>> TWIN_COPY_SHIFT) == 1 ? twins.get(to) : servers.get(to);
            if (s != null && s.up) s.onFrame(from, frame);
        }
    }

    // ---------------------------------------------------------------- servers

    /** Hosts one {@link ServerNode}: its timers, its stable storage, its crashes. */
    private final class SimServer implements ServerIo {
        final ServerId id;
        final Endpoint endpoint;
        /** 0, or 1 for the second copy of a twin. */
        final int copy;
        final List<Bytes> storage = new ArrayList<>();
        /** The bytes {@link #storage} holds. */
        long storageBytes;
        final TreeMap<ServerTimer, Cancellable> timers = new TreeMap<>();
        ServerNode node;
        boolean up;
        int incarnation;
        /** What this server does wrong, or null for a correct server. */
        final Adversary adversary;
        final RandomSource mischief;
        /** For a forwarder dropping one logical link: the site whose wide-area frames it drops; -1 otherwise. */
        final int blockedSite;
        /** The executed-event count at which the logical-machine check last ran. */
        long checkedEvents = -1;
        /** Inputs since the cores' invariants were last checked. */
        int uncheckedInputs;
        /** Recent frames this server received, for a replaying adversary. */
        final ArrayDeque<Bytes> heard = new ArrayDeque<>();
        /** How long a mid-step crash fault keeps this server down; -1 when none is armed. */
        long midStepCrashMicros = -1;
        /** Where in a step a mid-step crash falls. */
        final RandomSource midStep;
        /** The outputs of the step under way while a mid-step crash is armed, performed at its end; null otherwise. */
        List<Held> held;

        SimServer(ServerId id, int copy) {
            this.id = id;
            this.endpoint = Endpoint.of(id);
            this.copy = copy;
            this.adversary = adversaries.of(id);
            this.mischief = random.fork(copy == 0 ? "mischief " + id : "mischief " + id + " twin");
            this.blockedSite = adversary == Adversary.ONE_LINK_DROPPER && deployment.sites() > 1
                    ? Math.floorMod(id.site().value() + 1 + mischief.nextInt(deployment.sites() - 1), deployment.sites()) : -1;
            this.midStep = random.fork(copy == 0 ? "mid-step " + id : "mid-step " + id + " twin");
        }

        void boot() {
            up = true;
            checkedEvents = -1;
            uncheckedInputs = INVARIANT_CHECK_INPUTS;
            currentWideHops = 0;
            currentLocalHops = 0;
            processing = id;
            node = assembly.build(id, this, List.copyOf(storage), this::adversarial);
            runStep(node::start);
        }

        /**
         * One input to this server, as one step. A correct server whose core stops on its own
         * check (it found its history contradicting a certified one, which only a safety violation
         * can cause, or it hit one of our own bugs) is a finding, not a crash of the simulator: it
         * is reported as a violation, with where it stopped, and the server crashes (the fault
         * plan may restart it, and a second halt is reported again). A twin, correct code facing
         * its own copy, crashes the same way into the fault log; any other faulty server's throw
         * still ends the run loudly.
         */
        void runStep(Runnable input) {
            beginStep();
            try {
                input.run();
            } catch (IllegalStateException halted) {
                // Faulty servers run our code too, and a throw there is still ours to see; but a
                // twin is correct code whose history its other copy contradicts by design.
                if (adversary != null && !adversary.twinned()) throw halted;
                StackTraceElement[] at = halted.getStackTrace();
                String what = id + " halted on its own check (t=" + loop.nowMicros() / 1000 + "ms): " + halted.getMessage()
                        + (at.length > 0 ? " at " + at[0] : "");
                if (adversary == null) checkers.violation("a correct server " + what);
                else faultLog.add("twin " + what);
                crash();
                return;
            }
            endStep();
            afterInput();
        }

        /**
         * This server's parts as its adversary (if any) and the test's planted code change them: a
         * faulty core, a spoiled signer, a non-deterministic application. Correct servers keep
         * the assembly's parts.
         */
        ServerAssembly.Parts adversarial(ServerAssembly.Parts parts) {
            ServerAssembly.Parts p = parts;
            if (config.localOverride() != null) p = p.withLocal(config.localOverride());
            if (config.wideOverride() != null) p = p.withWide(config.wideOverride());
            if (config.plantedApp() != null && config.plantedApp().server().equals(id)) p = p.withApp(config.plantedApp().app().get());
            if (config.plantedBug() != null) p = config.plantedBug().parts().apply(p);
            if (adversary == null) return p;
            // A compromised site's servers share one seed: they must all mutate alike for the site to sign it.
            String key = mutatorKey(id, adversary);
            RoundPartitions rounds = roundPartitions.get(key);
            return adversary.corrupt(p, assembly, random.fork("byzzfuzz " + key).seed(),
                    rounds != null ? rounds : io.redoubt.sim.adversary.ByzzFuzzCore.Listener.NONE);
        }

        void crash() {
            metrics.crashes++;
            up = false;
            node = null;
            midStepCrashMicros = -1;
            held = null;
            incarnation++;
            for (Cancellable c : timers.values()) c.cancel();
            timers.clear();
            if (copy == 0 && !twins.containsKey(endpoint)) network.setDown(endpoint, true); // a twin's other copy still runs
        }

        void restart() {
            faultLog.add("t=" + loop.nowMicros() / 1000 + "ms restart " + id + " from " + storage.size() + " stored records");
            network.setDown(endpoint, false);
            boot();
        }

        /**
         * Answers a swallowed BLink frame with an acknowledgement of it in its site's name: the
         * sender's own signed envelope with a header claiming our site received everything
         * through that message. One server cannot sign for its site, so the header is not under
         * the signed root and the sender must refuse it.
         */
        private void lieAboutAck(Endpoint from, Bytes frame) {
            if (io.redoubt.lm.server.Frame.tagOf(frame) != io.redoubt.lm.server.Frame.TAG_LINK) return;
            try {
                io.redoubt.lm.server.Frame.Link f = (io.redoubt.lm.server.Frame.Link) io.redoubt.lm.server.Frame.decode(frame);
                long claimed = 0;
                for (io.redoubt.lm.exec.LinkLeaf.Entry e : io.redoubt.lm.exec.LinkLeaf.decode(f.header()).entriesFor(id.site())) {
                    claimed = Math.max(claimed, e.seq());
                }
                Bytes lie = new io.redoubt.lm.exec.LinkLeaf(List.of(new io.redoubt.lm.exec.LinkLeaf.Entry(f.from(), 0, claimed))).encode();
                send(endpoint, from, new io.redoubt.lm.server.Frame.Link(id.site(), f.from(), f.envelope(), lie).encode(), true);
            } catch (io.redoubt.lm.codec.DecodeException | ClassCastException e) {
                // not a frame it can twist
            }
        }

        void onFrame(Endpoint from, Bytes frame) {
            processing = id;
            if (adversary == Adversary.REPLAY) {
                heard.addLast(frame);
                if (heard.size() > 64) heard.pollFirst();
            }
            if ((adversary == Adversary.DEAF_PEER || adversary == Adversary.ACK_LIAR) && !from.client() && from.site() != id.site().value()
                    && carriesLmMessage(frame)) {
                if (adversary == Adversary.ACK_LIAR) lieAboutAck(from, frame);
                return; // a peer that passes on nothing it is sent between sites
            }
            runStep(() -> {
                if (from.client()) node.onClientFrame(from.clientId(), frame);
                else node.onServerFrame(from.server(), frame);
            });
        }

        /** After every step: the cores' own invariants, and the logical-machine check (correct servers only). */
        void afterInput() {
            if (node == null || adversary != null) return;
            if (markUpdates >= 0) checkMark(this);
            if (++uncheckedInputs >= INVARIANT_CHECK_INPUTS) {
                uncheckedInputs = 0;
                try {
                    node.checkInvariants();
                } catch (IllegalStateException broken) {
                    checkers.violation("invariant broken at " + id + " (t=" + loop.nowMicros() / 1000 + "ms): " + broken.getMessage());
                }
            }
            noteConflictingNewViews(id, node);
            // The logical machine is compared with its site's each time a server's ordered-event
            // count moves, by its execution digest (cheap: the events and their effects, chained);
            // by a digest of its whole state (executor, wide-area core, application) when the count
            // passes a multiple of LM_STATE_EVENTS and at the end of the run. Every correct server of
            // a site executes the same batches, so they pass the same counts. Digesting the whole
            // state at every batch made bft/paxos campaigns two and a half times slower.
            long events = node.logicalMachine().executedEvents();
            if (events != checkedEvents) {
                boolean wholeState = events / LM_STATE_EVENTS != checkedEvents / LM_STATE_EVENTS;
                checkedEvents = events;
                checkers.logicalMachineState(id, events, node.logicalMachine().executionDigest(), node.logicalMachine()::stateDigest,
                        wholeState, loop.nowMicros());
            }
        }

        @Override
        public void sendToServer(ServerId to, Bytes frame) {
            if (hold(Held.SEND, () -> misbehaveOrSend(Endpoint.of(to), frame, true))) return;
            misbehaveOrSend(Endpoint.of(to), frame, true);
        }

        @Override
        public void sendToClient(ClientId to, Bytes frame) {
            if (hold(Held.SEND, () -> misbehaveOrSend(Endpoint.of(to), frame, false))) return;
            misbehaveOrSend(Endpoint.of(to), frame, false);
        }

        /** Starts a step: while a mid-step crash is armed, its outputs are held until it ends. */
        void beginStep() {
            held = midStepCrashMicros >= 0 && faultsActive ? new ArrayList<>() : null;
        }

        /** Holds {@code action} for the end of the step, if this step's outputs are held. */
        boolean hold(int kind, Runnable action) {
            if (held == null) return false;
            held.add(new Held(kind, action));
            return true;
        }

        /**
         * Ends a step. Held outputs are performed in the order the node issued them; but a step
         * with two outputs or more (sends and persists) is cut at a drawn point between two of
         * them, and the server crashes there. A record persisted before the cut is durable if it
         * was forced, that is, if a send issued after it went out before the cut: the Outbox
         * contract lets a host send as soon as a send is issued, but only after forcing every
         * record persisted before it. The records with no such send after it were not forced: a
         * power cut loses them all; a crash while they are being written keeps a prefix of them
         * (DurableLog cuts the torn tail), which half the crashes do, a random prefix, possibly
         * empty. The Pekko host forces at the end of the step, before all of the step's sends, so
         * the crashes it can suffer are among these, up to lost messages.
         */
        void endStep() {
            List<Held> step = held;
            held = null;
            if (step == null) return;
            int outputs = 0;
            for (Held h : step) if (h.kind() != Held.OTHER) outputs++;
            if (outputs < 2 || !faultsActive) { // stays armed for a step with two outputs, until the network heals
                for (Held h : step) h.action().run();
                return;
            }
            int before = 1 + midStep.nextInt(outputs - 1); // outputs that happen: at least one, never all
            int cut = step.size();
            int lastSend = -1;
            for (int i = 0, seen = 0; i < step.size(); i++) {
                if (step.get(i).kind() == Held.OTHER) continue;
                if (seen++ == before) {
                    cut = i;
                    break;
                }
                if (step.get(i).kind() == Held.SEND) lastSend = i;
            }
            int unforced = 0;
            for (int i = lastSend + 1; i < cut; i++) if (step.get(i).kind() == Held.PERSIST) unforced++;
            int kept = unforced == 0 || midStep.chance(0.5) ? 0 : midStep.nextInt(unforced + 1);
            int sent = 0, forced = 0, lost = 0;
            for (int i = 0, seenUnforced = 0; i < cut; i++) {
                Held h = step.get(i);
                if (h.kind() == Held.PERSIST && i > lastSend && seenUnforced++ >= kept) {
                    lost++; // never forced, and not written before the crash
                    continue;
                }
                if (h.kind() == Held.SEND) sent++;
                if (h.kind() == Held.PERSIST && i < lastSend) forced++;
                h.action().run();
            }
            long durationMicros = Math.min(midStepCrashMicros, Math.max(0, healAtMicros - loop.nowMicros()));
            metrics.midStepCrashes++;
            metrics.unforcedRecordsLost += lost;
            crashFor(this, "t=" + loop.nowMicros() / 1000 + "ms crash " + id + " mid-step after " + before + " of " + outputs + " outputs ("
                    + sent + " sends out, " + forced + " records forced, " + unforced + " not forced: " + kept + " kept, " + lost + " lost)",
                    durationMicros);
        }

        /** A correct server sends; an adversary drops, corrupts or replays (within what its links let it do). */
        private void misbehaveOrSend(Endpoint to, Bytes frame, boolean countHop) {
            if (adversary == null || adversary.twinned()) {
                send(endpoint, copy, to, frame, countHop);
                return;
            }
            switch (adversary) {
                case SILENT, SILENT_SITE -> { }
                case GARBAGE, GARBAGE_SITE -> {
                    if (mischief.nextInt(2) == 0) {
                        send(endpoint, to, frame, countHop);
                    } else {
                        byte[] b = java.util.Arrays.copyOf(frame.unsafeArray(), frame.length());
                        int flips = 1 + mischief.nextInt(3);
                        for (int k = 0; k < flips && b.length > 0; k++) b[mischief.nextInt(b.length)] ^= (byte) (1 + mischief.nextInt(255));
                        send(endpoint, to, Bytes.wrap(b), countHop);
                    }
                    if (mischief.nextInt(10) == 0) { // and noise to anyone at all
                        byte[] noise = new byte[1 + mischief.nextInt(64)];
                        for (int k = 0; k < noise.length; k++) noise[k] = (byte) mischief.nextInt(256);
                        List<SimServer> all = new ArrayList<>(servers.values());
                        send(endpoint, all.get(mischief.nextInt(all.size())).endpoint, Bytes.wrap(noise), countHop);
                    }
                }
                case LINK_DROPPER, ONE_LINK_DROPPER -> {
                    boolean wide = !to.client() && to.site() != id.site().value()
                            && carriesLmMessage(frame);
                    if (!wide || (adversary == Adversary.ONE_LINK_DROPPER && to.site() != blockedSite)) send(endpoint, to, frame, countHop);
                }
                case SNAPSHOT_LIAR -> {
                    if (io.redoubt.lm.server.Frame.tagOf(frame) == io.redoubt.lm.server.Frame.TAG_SNAPSHOT_CHUNK && frame.length() > 0) {
                        // The piece's bytes end the frame: change the last one, and the frame still decodes.
                        byte[] b = java.util.Arrays.copyOf(frame.unsafeArray(), frame.length());
                        b[b.length - 1] ^= 1;
                        metrics.snapshotPiecesSpoiled++;
                        send(endpoint, to, Bytes.wrap(b), countHop);
                    } else {
                        send(endpoint, to, frame, countHop);
                    }
                }
                case REPLAY -> {
                    send(endpoint, to, frame, countHop);
                    if (!heard.isEmpty() && mischief.nextInt(3) == 0) {
                        List<Bytes> old = new ArrayList<>(heard);
                        send(endpoint, to, old.get(mischief.nextInt(old.size())), countHop);
                    }
                }
                default -> send(endpoint, to, frame, countHop); // the adversary lives in its core or its signer
            }
        }

        @Override
        public void setTimer(ServerTimer timer, long delayMillis) {
            if (hold(Held.OTHER, () -> setTimer(timer, delayMillis))) return;
            Cancellable old = timers.remove(timer);
            if (old != null) old.cancel();
            int inc = incarnation;
            int wide = currentWideHops;
            int local = currentLocalHops;
            timers.put(timer, loop.schedule(delayMillis * 1000, () -> {
                if (!up || inc != incarnation) return;
                timers.remove(timer);
                currentWideHops = wide;
                currentLocalHops = local;
                processing = id;
                runStep(() -> node.onTimer(timer));
            }));
        }

        @Override
        public void cancelTimer(ServerTimer timer) {
            if (hold(Held.OTHER, () -> cancelTimer(timer))) return;
            Cancellable c = timers.remove(timer);
            if (c != null) c.cancel();
        }

        /**
         * The simulator's CPU is instant (it models no CPU time), so the job runs on the event loop
         * and its result becomes this server's next input at the same virtual time, queued like any
         * other event: runs stay reproducible. Like a timer, it belongs to this incarnation and
         * inherits the causal path of the input that issued it.
         */
        @Override
        public void offload(CryptoJob job) {
            if (hold(Held.OTHER, () -> offload(job))) return;
            int inc = incarnation;
            int wide = currentWideHops;
            int local = currentLocalHops;
            loop.schedule(0, () -> {
                if (!up || inc != incarnation) return;
                currentWideHops = wide;
                currentLocalHops = local;
                processing = id; // a certificate share is an ordinary signature, charged to this server (Table 4.3)
                runStep(() -> node.onCryptoDone(job.run()));
            });
        }

        @Override
        public void persist(Bytes record) {
            if (hold(Held.PERSIST, () -> persist(record))) return;
            storage.add(record); // synchronous: durable before any later send, as Outbox requires
            storageBytes += record.length();
            metrics.storagePeak(storage.size(), storageBytes);
        }

        /** Atomic, like the runtime's rewrite-and-rename: a crash cut before it leaves the old storage (a held PERSIST). */
        @Override
        public void compactStorage(List<Bytes> records) {
            if (hold(Held.PERSIST, () -> compactStorage(records))) return;
            storage.clear();
            storage.addAll(records);
            storageBytes = 0;
            for (Bytes r : records) storageBytes += r.length();
            metrics.compactions++;
            metrics.storagePeak(storage.size(), storageBytes);
        }

        @Override
        public void snapshotTaken(long slot, Bytes digest, int bytes) {
            if (hold(Held.OTHER, () -> snapshotTaken(slot, digest, bytes))) return;
            metrics.snapshotsTaken++;
            metrics.snapshotBytesMax = Math.max(metrics.snapshotBytesMax, bytes);
            if (adversaries.isFaulty(id)) return;
            checkers.snapshotTaken(id, slot, digest, loop.nowMicros());
        }

        @Override
        public void snapshotInstalled(long slot, ServerId from) {
            if (hold(Held.OTHER, () -> snapshotInstalled(slot, from))) return;
            metrics.snapshotsInstalled++;
            faultLog.add("t=" + loop.nowMicros() / 1000 + "ms " + id + " installed the snapshot after local slot " + slot + " from " + from);
        }

        @Override
        public void executed(long globalSeq, SignedUpdate update, Bytes reply) {
            if (hold(Held.OTHER, () -> executed(globalSeq, update, reply))) return;
            if (adversaries.isFaulty(id)) return; // no promise holds for a faulty server (section 4.2)
            checkers.executed(id, globalSeq, update, loop.nowMicros());
            if (globalSeq >= nextSampleAt) {
                // After this step: the executing machine is in the middle of a batch now.
                long every = Math.max(1, config.totalUpdates() / 20);
                nextSampleAt = (globalSeq / every + 1) * every;
                loop.schedule(0, () -> sampleState(globalSeq));
            }
            Bytes digest = Checkers.updateDigest(update);
            if (globalSeqOf.putIfAbsent(digest, globalSeq) == null) metrics.orderedUpdateBytes += update.encode().length();
            trace.executed(globalSeq, digest);
            SimClient c = clients.get(Endpoint.of(update.client()));
            if (c != null && c.current != null && c.current.seq() == update.seq() && c.transmissions() == 1 && c.firstServer().equals(id)) {
                (update.client().site().value() == wideLeaderSite() ? metrics.roundsAtLeaderSite : metrics.roundsElsewhere)
                        .add(currentWideHops, currentLocalHops);
            }
        }

        @Override
        public void rejected(Object from, Rejection reason, String detail) {
            metrics.rejected(loop.nowMicros(), id, from, reason, detail);
        }

        @Override
        public void lmProduced(List<io.redoubt.lm.exec.LmHost.Outgoing> messages) {
            if (adversaries.isFaulty(id)) return;
            checkers.lmProduced(id.site(), messages);
            // One logical message per destination and link number; a resend after a move to the next
            // virtual link carries a newer acknowledgement but is the same message.
            java.util.Set<io.redoubt.lm.exec.LmHost.Outgoing> produced = lmMessagesProduced.computeIfAbsent(id.site(), k -> new java.util.HashSet<>());
            for (io.redoubt.lm.exec.LmHost.Outgoing o : messages) {
                produced.add(o.linkSeq() > 0 ? new io.redoubt.lm.exec.LmHost.Outgoing(o.to(), o.message(), o.linkSeq(), 0) : o);
            }
        }

        @Override
        public void lmAccepted(SiteId from, Bytes message) {
            // No promise holds for a faulty receiver, nor for a site compromised within the assumptions (section 4.2).
            if (!adversaries.isFaulty(id) && !adversaries.isCompromised(from.value())) checkers.lmAccepted(id, from, message, loop.nowMicros());
        }

        @Override
        public boolean checksOrderedWideMessages() {
            return config.plantedBug() == null || !config.plantedBug().uncheckedOrderedWideEvents();
        }

        @Override
        public void provenFaulty(io.redoubt.lm.exec.OrderingRequest.Equivocation proof) {
            if (adversaries.isFaulty(id)) return;
            // A correct server never signs two requests with one number, across restarts too: a
            // proof against one is a forgery that passed, or a correct server that lost its count.
            if (!adversaries.isFaulty(proof.server())) {
                checkers.violation("CLink-Order proved correct server " + proof.server() + " corrupt at " + id + " (t="
                        + loop.nowMicros() / 1000 + "ms): " + proof);
            }
            provenFaulty.add(proof.server());
        }

        @Override
        public boolean equivocatesOrderingRequests() {
            return adversary == Adversary.REQUEST_EQUIVOCATOR;
        }

        @Override
        public boolean vouchesUnchecked() {
            return adversary == Adversary.VOUCH_LIAR || (config.plantedBug() != null && config.plantedBug().vouchesUnchecked());
        }

        @Override
        public boolean spoilsGlobalStates() {
            return adversary == Adversary.GLOBAL_STATE_LIAR;
        }
    }

    // ---------------------------------------------------------------- result

    private SimResult result(String stopReason) {
        for (SimServer s : servers.values()) { // the invariants and the whole state at the end, wherever they were last checked
            if (s.up && s.adversary == null) {
                try {
                    s.node.checkInvariants();
                } catch (IllegalStateException broken) {
                    checkers.violation("invariant broken at " + s.id + " at the end: " + broken.getMessage());
                }
                io.redoubt.lm.exec.LogicalMachine lm = s.node.logicalMachine();
                checkers.logicalMachineState(s.id, lm.executedEvents(), lm.executionDigest(), lm::stateDigest, true, loop.nowMicros());
            }
        }
        long minExecuted = Long.MAX_VALUE;
        long maxExecuted = 0;
        long lmSignatures = 0;
        long wideMessages = 0;
        for (SimServer s : servers.values()) {
            if (adversaries.isFaulty(s.id)) continue;
            long e = s.up ? s.node.logicalMachine().executedUpdates() : 0;
            minExecuted = Math.min(minExecuted, e);
            maxExecuted = Math.max(maxExecuted, e);
            if (s.up) {
                lmSignatures += s.node.lmSignatures();
                wideMessages += s.node.wideMessagesSent();
            }
        }
        long wideViews = 0;
        long localViews = 0;
        Map<Integer, Long> localViewBySite = new TreeMap<>();
        for (SimServer s : servers.values()) {
            if (!s.up || adversaries.isFaulty(s.id)) continue; // a faulty server's views may be anything
            wideViews = Math.max(wideViews, s.node.logicalMachine().wideCore().view());
            localViewBySite.merge(s.id.site().value(), s.node.localCore().view(), Math::max);
        }
        for (long v : localViewBySite.values()) localViews += v;
        boolean replicasAgree = checkers.violations().isEmpty() && minExecuted == maxExecuted && sameAppState();
        long linkChanges = linkChanges(); // one run: its total is also the most one run needed
        return new SimResult(config, List.copyOf(checkers.violations()), List.copyOf(livenessFailures), List.copyOf(faultLog),
                checkers.orderedUpdates(), minExecuted, servers.size(), replicasAgree, loop.nowMicros() / 1000, loop.stepsRun(),
                network.messagesSent(), network.bytesSent(), metrics.rejectionsCopy(), trace.hex(),
                metrics.roundsAtLeaderSite.snapshot(), metrics.roundsElsewhere.snapshot(), lmSignatures, wideMessages,
                LatencyStats.of(metrics.latenciesMicros), network.maxQueueDelayMicros(),
                new SimResult.Exercised(wideViews, localViews, metrics.crashes, metrics.partitions, adversaries.counts(), blacklisted(),
                        conflictingNewViews.size(), metrics.midStepCrashes, metrics.unforcedRecordsLost, clinkCount(ServerNode::forwardsSent),
                        clinkCount(ServerNode::forwardFallbacks), clients.values().stream().mapToLong(SimClient::retransmissions).sum(),
                        clients.values().stream().mapToLong(SimClient::repliesRefused).sum(), linkChanges, linkChanges,
                        clinkCount(ServerNode::requestsMade), provenFaulty.size()),
                List.copyOf(metrics.rejectionTrace), stopReason,
                leaderSiteCost(), costs(), storage(), List.copyOf(stateSamples));
    }

    /** Bounded state (issue 18): a sample every twentieth of the run's updates, over every correct running server. */
    private final List<SimResult.StateSample> stateSamples = new ArrayList<>();
    private long nextSampleAt = 1;

    private void sampleState(long updates) {
        long records = 0, bytes = 0, state = 0, localSlots = 0, wideSlots = 0;
        TreeMap<io.redoubt.lm.SiteId, Long> slowest = new TreeMap<>();
        for (SimServer s : servers.values()) {
            if (!s.up || adversaries.isFaulty(s.id)) continue;
            slowest.merge(s.id.site(), s.node.logicalMachine().executedEvents(), Math::min);
            records = Math.max(records, s.storage.size());
            bytes = Math.max(bytes, s.storageBytes);
            io.redoubt.lm.exec.LogicalMachine lm = s.node.logicalMachine();
            if (lm.snapshots()) state = Math.max(state, lm.snapshot().length());
            localSlots = Math.max(localSlots, s.node.localCore().slotsHeld());
            wideSlots = Math.max(wideSlots, lm.wideCore().slotsHeld());
        }
        stateSamples.add(new SimResult.StateSample(updates, records, bytes, state, localSlots, wideSlots));
        slowest.forEach(checkers::forgetBefore); // the checkers' own state stays bounded in a long run
    }

    /** The most stable storage any server holds now, in records and bytes (issue 18). */
    private SimResult.Storage storage() {
        long records = 0, bytes = 0;
        for (SimServer s : servers.values()) {
            long b = 0;
            for (Bytes r : s.storage) b += r.length();
            records = Math.max(records, s.storage.size());
            bytes = Math.max(bytes, b);
        }
        long bad = 0;
        TreeMap<Integer, Long> globalBySite = new TreeMap<>(), badGlobalBySite = new TreeMap<>();
        for (SimServer s : servers.values()) {
            if (!s.up || adversaries.isFaulty(s.id)) continue;
            bad += s.node.badSnapshots();
            globalBySite.merge(s.id.site().value(), s.node.logicalMachine().globalStatesInstalled(), Math::max);
            badGlobalBySite.merge(s.id.site().value(), s.node.logicalMachine().globalStatesRefused(), Math::max);
        }
        long global = 0, badGlobal = 0;
        for (long g : globalBySite.values()) global += g;
        for (long g : badGlobalBySite.values()) badGlobal += g;
        return new SimResult.Storage(records, bytes, metrics.storagePeakRecords, metrics.storagePeakBytes, metrics.snapshotsTaken,
                metrics.snapshotsInstalled, bad, metrics.snapshotBytesMax, metrics.compactions, global, badGlobal);
    }

    /** What the whole run cost every server, counted (issue 16); CPU time is the runner's to measure. */
    private SimResult.Costs costs() {
        long partials = 0, proofs = 0;
        for (SimServer s : servers.values()) {
            if (!s.up || assembly.keyring().sites().get(s.id.site()).kind() != LmKeyring.Kind.THRESHOLD) continue;
            partials += s.node.sharesMade();
            proofs += s.node.proofsMade();
        }
        long lmMessages = 0;
        for (java.util.Set<io.redoubt.lm.exec.LmHost.Outgoing> produced : lmMessagesProduced.values()) lmMessages += produced.size();
        long lmFrames = 0;
        for (SimServer s : servers.values()) if (s.up && !adversaries.isFaulty(s.id)) lmFrames += s.node.wideMessagesSent();
        long wideInstances = 0;
        java.util.Map<SiteId, Long> localInstances = new java.util.TreeMap<>();
        for (SimServer s : servers.values()) {
            if (!s.up || adversaries.isFaulty(s.id)) continue;
            wideInstances = Math.max(wideInstances, s.node.logicalMachine().wideCore().deliveredThrough() + 1);
            localInstances.merge(s.id.site(), s.node.localCore().deliveredThrough() + 1, Math::max);
        }
        return new SimResult.Costs(metrics.localFrames, metrics.localFrameBytes, metrics.wideFrames, metrics.wideFrameBytes,
                metrics.signaturesByServers(), metrics.verificationsByServers, partials, proofs, metrics.orderedUpdateBytes,
                metrics.orderedUpdateBytes * (deployment.sites() - 1), wideInstances,
                localInstances.values().stream().mapToLong(Long::longValue).sum(),
                lmMessages, lmFrames);
    }

    private SimResult.CryptoCost leaderSiteCost() {
        int site = wideLeaderSite();
        int n = 0;
        long signatures = 0, partials = 0, proofs = 0;
        boolean threshold = assembly.keyring().sites().get(new SiteId(site)).kind() == LmKeyring.Kind.THRESHOLD;
        for (SimServer s : servers.values()) {
            if (s.id.site().value() != site) continue;
            n++;
            signatures += metrics.signaturesBy(s.id);
            if (s.up && threshold) {
                partials += s.node.sharesMade();
                proofs += s.node.proofsMade();
            }
        }
        return new SimResult.CryptoCost(n, signatures, partials, proofs);
    }

    /** A CLink-Opt count summed over the correct servers running at the end (a restarted server counts from zero). */
    private long clinkCount(java.util.function.ToLongFunction<ServerNode> count) {
        long n = 0;
        for (SimServer s : servers.values()) if (s.up && !adversaries.isFaulty(s.id)) n += count.applyAsLong(s.node);
        return n;
    }

    /** Whether a frame carries a logical machine's message between sites (the stand-in's or BLink's). */
    private static boolean carriesLmMessage(Bytes frame) {
        int tag = io.redoubt.lm.server.Frame.tagOf(frame);
        return tag == io.redoubt.lm.server.Frame.TAG_WIDE || tag == io.redoubt.lm.server.Frame.TAG_LINK;
    }

    /** Per site, the most virtual-link changes any correct server running at the end saw; summed over sites. */
    private long linkChanges() {
        TreeMap<Integer, Long> bySite = new TreeMap<>();
        for (SimServer s : servers.values()) {
            if (s.up && !adversaries.isFaulty(s.id)) bySite.merge(s.id.site().value(), s.node.linkChanges(), Math::max);
        }
        return bySite.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Servers a correct server's logical machine proved corrupt by conflicting Ordering_Requests (CLink-Order). */
    private final java.util.Set<ServerId> provenFaulty = new java.util.TreeSet<>();

    private long blacklisted() {
        long n = 0;
        for (SimServer s : servers.values()) if (s.up && !adversaries.isFaulty(s.id)) n += s.node.blacklist().size();
        return n;
    }

    private boolean sameAppState() {
        Bytes first = null;
        for (SimServer s : servers.values()) {
            if (!s.up || adversaries.isFaulty(s.id)) continue;
            Bytes snap = s.node.logicalMachine().app().snapshot();
            if (first == null) first = snap;
            else if (!first.equals(snap)) return false;
        }
        return true;
    }

}
