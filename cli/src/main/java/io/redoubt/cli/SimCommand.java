package io.redoubt.cli;

import io.redoubt.sim.CryptoCpu;
import io.redoubt.sim.FaultMix;
import io.redoubt.sim.LatencyStats;
import io.redoubt.sim.SimConfig;
import io.redoubt.sim.SimResult;
import io.redoubt.sim.Simulation;
import io.redoubt.sim.Swarm;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A simulation campaign: many seeds of a whole deployment under faults, checked for S1, S2, the
 * logical-machine property and liveness. Seeds run in parallel; each run is deterministic.
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Run a deterministic simulation campaign of a whole deployment under faults.")
final class SimCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    DeploymentOptions deployment;

    @Option(names = "--seeds", defaultValue = "200", description = "how many seeds to run (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--updates", description = "client updates per run, about (default: 200; with --swarm " + SWARM_UPDATES + ")")
    Integer updates;

    // Swarm seeds run up to 7 sites of 7 servers; a lighter workload keeps CI's 500 seeds within minutes (README).
    static final int SWARM_UPDATES = 20;

    @Option(names = "--swarm", description = "every seed draws its composition, sites, f, fault kinds and intensity, and adversaries;"
            + " a failing seed's replay command names them all")
    boolean swarm;

    @Option(names = "--fault-kinds", description = "benign fault kinds the safety phase draws from: all, or a list of crash-server,"
            + " crash-local-leader, isolate-site, isolate-wide-leader-site, split-sites, cut-local-leader, crash-mid-step, and keep-server-down"
            + " (crashed early, back only at the heal; not in all) (default: all)")
    String faultKinds;

    @Option(names = "--fault-intensity", description = "how many faults a seed draws: few (1-2, mild links), some (1-5), many (6-15, lossy links) (default: some)")
    String faultIntensity;

    @Option(names = "--client-site", defaultValue = "-1", description = "run clients only in this site (default: every site)")
    int clientSite;

    @Option(names = "--client-think", defaultValue = "0ms", description = "pause between a reply and the next update, e.g. 2000ms (default: 0-2 ms at random)")
    String clientThink;

    @Option(names = "--adversary", paramLabel = "WHERE=KIND", description = "put an adversary in place instead of drawing them from the seed;"
            + " repeatable. SITE.SERVER=KIND for one server (silent, garbage, replay, bad-shares, equivocating-leader, starving-leader, rogue-lm,"
            + " twin, mutator, double-pre-prepare, unverified-events, certificate-forger, vouch-liar, request-equivocator), SITE=KIND for a whole site (silent-site, equivocating-site, garbage-site, mutating-site, twin-site, mutator-site);"
            + " e.g. --adversary 0.0=equivocating-leader")
    java.util.List<String> adversaries = new java.util.ArrayList<>();

    @Option(names = "--threads", description = "seeds run in parallel (default: number of cores)")
    Integer threads;

    @Option(names = "--verbose", description = "print one line per seed")
    boolean verbose;

    @Option(names = "--cost-warmup-updates", paramLabel = "K", description = "the cost summary also gives each run's CPU per update"
            + " after its first K updates were executed by every server, leaving out start-up, key dealing and the JIT compiler's"
            + " warm-up: (CPU at the end - CPU then) / (updates at the end - updates then) (default: a fifth of each run's updates,"
            + " e.g. 400 of 2,000)")
    Integer costWarmupUpdates;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SimConfig base = buildConfig();
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (threadCount < 1) throw bad("--threads must be >= 1, was " + threadCount);
        if (costWarmupUpdates != null && costWarmupUpdates < 0) throw bad("--cost-warmup-updates must be >= 0, was " + costWarmupUpdates);
        if (swarm) {
            out.printf(Locale.ROOT, "sim: swarm: each seed draws its composition, %d-%d sites, f = 1 or 2, fault kinds and intensity, adversaries;"
                    + " about %d updates/run, seeds %d..%d on %d threads%n", Swarm.SITES_MIN, Swarm.SITES_MAX, updates, base.seed(),
                    base.seed() + seeds - 1, threadCount);
        } else {
            out.printf(Locale.ROOT, "sim: %s, faults %s, %d updates/run, seeds %d..%d on %d threads%n",
                    Settings.describe(base), base.faults().cliName(), base.totalUpdates(), base.seed(), base.seed() + seeds - 1, threadCount);
        }
        out.printf(Locale.ROOT, "  each run: %.1f s of faults, then the network heals and every update must be executed by every server within %.0f s%n",
                base.safetyPhaseMillis() / 1000.0, base.livenessBoundMillis() / 1000.0);

        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threadCount, r -> {
            Thread t = new Thread(r, "sim-seed");
            t.setDaemon(true);
            return t;
        });
        List<SimResult> failed = new ArrayList<>();
        int safety = 0, liveness = 0, done = 0;
        long updatesOrdered = 0;
        SimResult.Exercised exercised = SimResult.Exercised.none();
        // Swarm summary: seeds and failures per composition family and number of sites.
        Map<String, int[]> ranBySize = new TreeMap<>(), failedBySize = new TreeMap<>();
        // CPU time per seed by number of sites (seeds, nanoseconds): wall time says little on a shared machine.
        Map<Integer, long[]> cpuBySites = new TreeMap<>();
        // The campaign's costs (issue 16): counted by the simulator, CPU measured here around each run.
        SimResult.Costs costs = SimResult.Costs.none();
        SimResult.Storage storage = SimResult.Storage.none();
        List<SimResult.StateSample> samples = List.of();
        long lmSignatures = 0, cpuNanos = 0, warmCpuNanos = 0, warmUpdates = 0;
        CryptoCpu.Snapshot warmCrypto = null; // summed over the seeds that tallied it
        LatencyStats latencies = LatencyStats.of(List.of());
        long processCpu0 = processCpuNanos(), processCpu = -1;
        try {
            CompletionService<Timed> cs = new ExecutorCompletionService<>(pool);
            for (int i = 0; i < seeds; i++) {
                long seed = base.seed() + i;
                SimConfig c = swarm ? Swarm.draw(base, seed, updates) : base.withSeed(seed);
                long warmup = costWarmupUpdates != null ? costWarmupUpdates : c.totalUpdates() / 5;
                cs.submit(() -> timed(c, warmup));
            }
            int step = Math.max(1, seeds / 10);
            for (int i = 0; i < seeds; i++) {
                Future<Timed> f = cs.take();
                SimResult r;
                try {
                    Timed t = f.get();
                    r = t.result();
                    cpuBySites.computeIfAbsent(r.config().sites(), k -> new long[2])[0]++;
                    cpuBySites.get(r.config().sites())[1] += t.cpuNanos();
                    cpuNanos += t.cpuNanos();
                    warmCpuNanos += t.warmCpuNanos();
                    warmUpdates += t.warmUpdates();
                    if (t.warmCrypto() != null) warmCrypto = t.warmCrypto().plus(warmCrypto);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause().getMessage(), e.getCause().getCause());
                }
                done++;
                updatesOrdered += r.orderedUpdates();
                costs = costs.plus(r.costs());
                storage = storage.max(r.storage());
                if (seeds == 1) samples = r.stateSamples();
                lmSignatures += r.lmSignatures();
                latencies = latencies.plus(r.clientLatency());
                exercised = exercised.plus(r.exercised());
                if (!r.safetyViolations().isEmpty()) safety++;
                if (!r.livenessFailures().isEmpty()) liveness++;
                if (!r.passed()) failed.add(r);
                String family = Swarm.family(r.config().composition());
                ranBySize.computeIfAbsent(family, k -> new int[Swarm.SITES_MAX + 1])[Math.min(r.config().sites(), Swarm.SITES_MAX)]++;
                if (!r.passed()) failedBySize.computeIfAbsent(family, k -> new int[Swarm.SITES_MAX + 1])[Math.min(r.config().sites(), Swarm.SITES_MAX)]++;
                if (verbose) {
                    out.printf(Locale.ROOT, "  seed %d: %s, %d updates, %d ms virtual, %d messages, %d virtual-link changes, trace %s%s%n", r.config().seed(),
                            r.passed() ? "ok" : "FAILED", r.orderedUpdates(), r.virtualMillis(), r.messages(), r.exercised().linkChanges(),
                            r.traceHash().substring(0, 16),
                            swarm ? ", " + r.config().composition() + " " + r.config().sites() + "x" + r.config().deployment().serversPerSite()
                                    + ", " + r.config().faultMix().intensity().cliName() + " faults, " + r.config().plantedAdversaries().size()
                                    + " adversaries" : "");
                    // A swarm seed's settings exist only in its draw: name them, so that any seed can be rerun alone.
                    if (swarm) out.println("    replay: " + r.config().replayCommand());
                }
                if (done % step == 0 || done == seeds) {
                    out.printf(Locale.ROOT, "  [%4d/%d] %3d%%  %d safety violations, %d liveness failures, %.1f s%n",
                            done, seeds, done * 100 / seeds, safety, liveness, (System.nanoTime() - t0) / 1e9);
                }
            }
            if (processCpu0 >= 0) processCpu = processCpuNanos() - processCpu0;
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        failed.sort((a, b) -> Long.compare(a.config().seed(), b.config().seed()));
        for (SimResult r : failed.subList(0, Math.min(failed.size(), 5))) out.print(r.failureReport());
        if (failed.size() > 5) out.println("  (" + (failed.size() - 5) + " more failing seeds not shown)");

        out.printf(Locale.ROOT, "faults exercised: %d server crashes (%d mid-step, losing %d records not yet forced), %d partitions,"
                + " %d local leader changes, %d wide-area leader changes, %d new views over conflicting prepared certificates%n",
                exercised.crashes(), exercised.midStepCrashes(), exercised.unforcedRecordsLost(), exercised.partitions(),
                exercised.localViewChanges(), exercised.wideViewChanges(), exercised.conflictingViewChanges());
        out.printf(Locale.ROOT, "CLink-Opt: %d client updates sent on to the leader site unordered, %d of them ordered at home after the"
                + " forward timeout; clients sent an update again to f+1 servers %d times and refused %d frames as replies%n",
                exercised.clinkSentOn(), exercised.clinkFallbacks(), exercised.clientRetransmissions(), exercised.clientRepliesRefused());
        out.printf(Locale.ROOT, "links between sites: %d virtual-link changes (a logical link moved to its next forwarder and peer by an ordered"
                + " timeout; with --blink off, a message sent again from another forwarder or to another peer), at most %d in one run%n",
                exercised.linkChanges(), exercised.linkChangesMaxRun());
        out.printf(Locale.ROOT, "stable storage: at most %d records, %.1f KB, on one server at the end of a run; at most %d records, %.1f KB, at any"
                + " time%n", storage.recordsMax(), storage.bytesMax() / 1024.0, storage.peakRecords(), storage.peakBytes() / 1024.0);
        out.printf(Locale.ROOT, "snapshots: %,d taken, %,d installed from another server, %,d fetched bad, %,d global states installed by a"
                + " logical machine from another, %,d refused (pieces or wholes); largest %.1f KB (log compaction%s)%n",
                storage.snapshotsTaken(), storage.snapshotsInstalled(), storage.badSnapshots(), storage.globalStatesInstalled(), storage.badGlobalStates(),
                storage.snapshotBytesMax() / 1024.0,
                storage.snapshotsTaken() == 0 ? ": none this run, see --compaction and why in the README" : "");
        if (!samples.isEmpty()) printStateSamples(out, samples);
        out.printf(Locale.ROOT, "CLink-Order: %d ordering requests signed by correct servers of Byzantine sites, %d servers proven corrupt by"
                + " two requests with one number%n", exercised.orderingRequests(), exercised.provenFaulty());
        if (!exercised.adversaries().isEmpty()) {
            StringBuilder sb = new StringBuilder("adversaries: ");
            exercised.adversaries().forEach((k, v) -> sb.append(v).append(" x ").append(k).append(", "));
            sb.append(exercised.blacklisted()).append(" blacklistings of a server proven to send a bad partial");
            out.println(sb);
        }
        if (swarm) printSwarmTable(out, ranBySize, failedBySize, cpuBySites);
        else Fidelity.print(base, out);
        printCosts(out, costWarmupUpdates != null ? costWarmupUpdates + " updates" : "fifth of its updates", updatesOrdered, costs, lmSignatures, cpuNanos, warmCpuNanos, warmUpdates, warmCrypto, processCpu);
        if (latencies.count() > 0) {
            // What aggregation costs a client: batching trades CPU for waiting (section 4.6).
            costRow(out, "client latency (virtual)", String.format(Locale.ROOT, "%10.1f ms", latencies.meanMillis()),
                    String.format(Locale.ROOT, "mean; p50 %.1f ms, p99 %.1f ms%s", latencies.p50Millis(), latencies.p99Millis(),
                            seeds > 1 ? " (the worst seed's)" : ""));
        }
        out.printf(Locale.ROOT, "campaign took %.1f s (%.0f ms per seed on %d threads), %d updates ordered in all%n",
                seconds, seconds * 1000 * threadCount / Math.max(1, seeds), threadCount, updatesOrdered);
        out.printf(Locale.ROOT, "sim: %d seeds, %d safety violations, %d liveness failures%n", seeds, safety, liveness);
        out.flush();
        return safety + liveness == 0 ? 0 : 1;
    }

    /** Seeds per composition family and number of sites, failures in brackets. */
    private static void printSwarmTable(PrintWriter out, Map<String, int[]> ran, Map<String, int[]> failed, Map<Integer, long[]> cpu) {
        out.println("seeds per composition and sites (failed in brackets):");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-12s", "composition"));
        for (int n = Swarm.SITES_MIN; n <= Swarm.SITES_MAX; n++) head.append(String.format(Locale.ROOT, " %9s", n + " sites"));
        out.println(head.append(String.format(Locale.ROOT, " %9s", "all")));
        for (String family : Swarm.families()) {
            int[] r = ran.getOrDefault(family, new int[Swarm.SITES_MAX + 1]);
            int[] f = failed.getOrDefault(family, new int[Swarm.SITES_MAX + 1]);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-12s", family));
            int all = 0, allFailed = 0;
            for (int n = Swarm.SITES_MIN; n <= Swarm.SITES_MAX; n++) {
                row.append(String.format(Locale.ROOT, " %9s", r[n] == 0 && f[n] == 0 ? "-" : r[n] + (f[n] > 0 ? " (" + f[n] + ")" : "")));
                all += r[n];
                allFailed += f[n];
            }
            out.println(row.append(String.format(Locale.ROOT, " %9s", all + (allFailed > 0 ? " (" + allFailed + ")" : ""))));
        }
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-12s", "CPU s/seed"));
        long seeds = 0, nanos = 0;
        for (int n = Swarm.SITES_MIN; n <= Swarm.SITES_MAX; n++) {
            long[] c = cpu.getOrDefault(n, new long[2]);
            row.append(String.format(Locale.ROOT, " %9s", c[0] == 0 ? "-" : String.format(Locale.ROOT, "%.2f", c[1] / 1e9 / c[0])));
            seeds += c[0];
            nanos += c[1];
        }
        out.println(row.append(String.format(Locale.ROOT, " %9.2f", seeds == 0 ? 0 : nanos / 1e9 / seeds)));
    }

    /**
     * The campaign's cost per ordered update, summed over every seed (issue 16). CPU is the
     * thread CPU time of the runs (building the deployment included), measured by this runner
     * and never seen by the deterministic simulation; the rest the simulator counted.
     */
    private static void printCosts(PrintWriter out, String warmup, long updates, SimResult.Costs c, long lmSignatures, long cpuNanos, long warmCpuNanos,
                                   long warmUpdates, CryptoCpu.Snapshot warmCrypto, long processCpuNanos) {
        out.printf(Locale.ROOT, "cost per ordered update (%d updates, all seeds):%n", updates);
        if (updates == 0) {
            out.println("  nothing was ordered");
            return;
        }
        double u = updates;
        String ms = "%10.2f ms";
        costRow(out, "CPU, simulation threads", String.format(Locale.ROOT, ms, cpuNanos / 1e6 / u),
                "the runs' thread CPU, start-up and key dealing included");
        costRow(out, "CPU, after each run's warm-up", warmUpdates == 0 ? String.format(Locale.ROOT, "%10s   ", "-")
                : String.format(Locale.ROOT, ms, warmCpuNanos / 1e6 / warmUpdates), warmUpdates == 0
                ? "no run executed updates after its warm-up (--cost-warmup-updates)"
                : String.format(Locale.ROOT, "over the %d updates executed after each run's first %s", warmUpdates, warmup));
        if (warmCrypto != null && warmUpdates > 0) {
            // Measured around each operation (thread CPU time), not sampled: see CryptoCpu for why.
            for (CryptoCpu.Kind k : CryptoCpu.Kind.values()) {
                if (warmCrypto.operations(k) == 0) continue;
                costRow(out, "  in " + k.label(), String.format(Locale.ROOT, ms, warmCrypto.nanos(k) / 1e6 / warmUpdates),
                        String.format(Locale.ROOT, "%.2f per update, %s each%s", (double) warmCrypto.operations(k) / warmUpdates, warmCrypto.meanMicros(k),
                                k == CryptoCpu.Kind.SIGN ? ", clients' included" : ""));
            }
            costRow(out, "  in everything else", String.format(Locale.ROOT, ms, (warmCpuNanos - warmCrypto.totalNanos()) / 1e6 / warmUpdates),
                    "protocol logic, codec, hashing, MACs and the simulator itself");
        }
        if (processCpuNanos >= 0) {
            costRow(out, "CPU, whole process", String.format(Locale.ROOT, ms, processCpuNanos / 1e6 / u),
                    "every JVM thread (JIT compiler, GC) while the seeds ran");
        }
        String n = "%10.2f   ";
        costRow(out, "LM signatures", String.format(Locale.ROOT, n, lmSignatures / u), "site signatures on Merkle roots, by forwarders");
        costRow(out, "threshold partials", String.format(Locale.ROOT, n, c.thresholdPartials() / u),
                String.format(Locale.ROOT, "all servers of threshold-RSA sites; and %.2f proofs", c.thresholdProofs() / u));
        costRow(out, "signatures by servers", String.format(Locale.ROOT, n, c.serverSignatures() / u), "ordinary (--signatures), certificate shares included");
        costRow(out, "verifications by servers", String.format(Locale.ROOT, n, c.serverVerifications() / u), "ordinary signatures checked (memo hits not counted)");
        costRow(out, "ordering instances, wide-area", String.format(Locale.ROOT, n, c.wideInstances() / u),
                c.wideInstances() == 0 ? "" : String.format(Locale.ROOT, "slots among sites: %.1f updates each", u / c.wideInstances()));
        costRow(out, "ordering instances, local", String.format(Locale.ROOT, n, c.localInstances() / u), "slots inside sites, all sites together");
        costRow(out, "messages, local", String.format(Locale.ROOT, n, c.localFrames() / u), "within a site, clients to their servers included");
        costRow(out, "messages, wide-area", String.format(Locale.ROOT, n, c.wideFrames() / u), "between sites");
        costRow(out, "messages, all", String.format(Locale.ROOT, n, (c.localFrames() + c.wideFrames()) / u), "");
        costRow(out, "wide-area frames per LM message", String.format(Locale.ROOT, n, c.lmMessages() == 0 ? 0 : (double) c.lmFrames() / c.lmMessages()),
                String.format(Locale.ROOT, "%.2f LM messages per update, each carried by that many frames (BLink: about 1)", c.lmMessages() / u));
        String b = "%10.0f B ";
        costRow(out, "bytes, local", String.format(Locale.ROOT, b, c.localFrameBytes() / u), "protocol frames (no simulator header)");
        costRow(out, "bytes, wide-area", String.format(Locale.ROOT, b, c.wideFrameBytes() / u),
                String.format(Locale.ROOT, "%.1f x the floor", c.wideFloorBytes() == 0 ? 0 : (double) c.wideFrameBytes() / c.wideFloorBytes()));
        costRow(out, "  floor", String.format(Locale.ROOT, b, c.wideFloorBytes() / u),
                String.format(Locale.ROOT, "the update's own %.0f bytes carried once to every other site", c.orderedUpdateBytes() / u));
        costRow(out, "bytes, all", String.format(Locale.ROOT, b, (c.localFrameBytes() + c.wideFrameBytes()) / u), "");
    }

    static void costRow(PrintWriter out, String label, String value, String note) {
        out.println(String.format(Locale.ROOT, "  %-32s %s  %s", label, value, note).stripTrailing());
    }

    /** CPU time of every thread of this JVM, or -1 where the platform does not tell. */
    static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /**
     * A seed's result, the CPU time its thread spent on it, and the part of that spent after the
     * run's first {@code warmup} updates were executed everywhere, with the updates executed since
     * and, with real signatures, the cryptography's share of that CPU by kind (else null).
     */
    /**
     * One run's bounded state over time (issue 18): a row per twentieth of its updates, and a
     * bar of each column against its largest value, so a flat column reads as a flat bar.
     */
    static void printStateSamples(PrintWriter out, List<SimResult.StateSample> samples) {
        long maxStorage = 1, maxState = 1, maxLocal = 1, maxWide = 1;
        for (SimResult.StateSample s : samples) {
            maxStorage = Math.max(maxStorage, s.storageBytes());
            maxState = Math.max(maxState, s.stateBytes());
            maxLocal = Math.max(maxLocal, s.localSlots());
            maxWide = Math.max(maxWide, s.wideSlots());
        }
        out.println("state over the run, the most on one correct server (storage: stable storage; state: its logical machine's snapshot;"
                + " slots: held in memory by the local and wide-area cores):");
        out.printf(Locale.ROOT, "  %9s  %8s %10s %-12s  %10s %-12s  %7s  %7s%n", "updates", "records", "storage", "", "state", "", "local", "wide");
        for (SimResult.StateSample s : samples) {
            out.printf(Locale.ROOT, "  %,9d  %,8d %,8.0fKB %-12s  %,8.0fKB %-12s  %,7d  %,7d%n", s.updates(), s.storageRecords(), s.storageBytes() / 1024.0,
                    bar(s.storageBytes(), maxStorage), s.stateBytes() / 1024.0, bar(s.stateBytes(), maxState), s.localSlots(), s.wideSlots());
        }
    }

    private static String bar(long value, long max) {
        return "#".repeat((int) Math.round(12.0 * value / max));
    }

    private record Timed(SimResult result, long cpuNanos, long warmCpuNanos, long warmUpdates, CryptoCpu.Snapshot warmCrypto) {}

    private static Timed timed(SimConfig c, long warmup) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = mx.getCurrentThreadCpuTime();
        // CPU time and updates executed everywhere when the warm-up ended: the step in which the
        // last correct server executed its K-th update.
        long[] mark = warmup <= 0 ? new long[] {t0, 0} : new long[] {-1, 0};
        // With real signatures, also where the CPU after the warm-up went, by kind of cryptography.
        boolean tallyCrypto = !c.signatureScheme().equals("simulated");
        if (tallyCrypto) CryptoCpu.start();
        CryptoCpu.Snapshot[] cryptoMark = {warmup <= 0 ? CryptoCpu.snapshot() : null};
        try {
            SimResult r = runOne(c, warmup, executed -> {
                mark[0] = mx.getCurrentThreadCpuTime();
                mark[1] = executed;
                cryptoMark[0] = CryptoCpu.snapshot();
            });
            long t1 = mx.getCurrentThreadCpuTime();
            long warmUpdates = mark[0] < 0 ? 0 : Math.max(0, r.updatesExecutedByEveryServer() - mark[1]);
            CryptoCpu.Snapshot end = CryptoCpu.snapshot();
            CryptoCpu.Snapshot warmCrypto = end == null || cryptoMark[0] == null || warmUpdates == 0 ? null : end.minus(cryptoMark[0]);
            return new Timed(r, t1 - t0, warmUpdates == 0 ? 0 : t1 - mark[0], warmUpdates, warmCrypto);
        } finally {
            CryptoCpu.stop();
        }
    }

    private static SimResult runOne(SimConfig c, long warmup, java.util.function.LongConsumer warmedUp) {
        try {
            Simulation s = new Simulation(c);
            if (warmup > 0) s.onExecutedEverywhere(warmup, warmedUp);
            return s.run();
        } catch (RuntimeException | Error e) {
            // A crash of the simulator itself (a bug, or a run that exhausts memory) names its seed.
            throw new IllegalStateException("seed " + c.seed() + " crashed the simulation (" + e + "); replay: " + c.replayCommand(), e);
        }
    }

    private SimConfig buildConfig() {
        CommandLine cl = spec.commandLine();
        if (seeds < 1) throw bad("--seeds must be >= 1, was " + seeds);
        if (updates == null) updates = swarm ? SWARM_UPDATES : 200;
        if (updates < 1) throw bad("--updates must be >= 1, was " + updates);
        if (swarm) refuseWithSwarm();
        // Campaign defaults: benign faults, the fast signature stand-in, seed 1, two clients a site.
        if (deployment.faults == null) deployment.faults = "benign";
        if (deployment.signatures == null) deployment.signatures = "simulated";
        // With the stand-in, threshold keys may be small too: dealing 2048-bit keys per seed would dominate a campaign.
        if (deployment.thresholdKeyBits == null && deployment.signatures.equals("simulated")) {
            deployment.thresholdKeyBits = io.redoubt.compose.Deployment.SIMULATION_THRESHOLD_KEY_BITS;
        }
        if (deployment.seed == null) deployment.seed = 1L;
        if (deployment.clientsPerSite == null) deployment.clientsPerSite = 2;
        SimConfig c = deployment.resolve(cl, null);
        if (clientSite < -1 || clientSite >= c.sites()) {
            throw bad("--client-site must be -1 (every site) or in [0, " + (c.sites() - 1) + "], was " + clientSite);
        }
        long thinkMillis = DeploymentOptions.millis(cl, "--client-think", clientThink);
        int clientSites = clientSite < 0 ? c.sites() : 1;
        int perClient = deployment.updatesPerClient != null ? deployment.updatesPerClient
                : Math.max(1, (updates + clientSites * c.clientsPerSite() - 1) / (clientSites * c.clientsPerSite()));
        java.util.List<SimConfig.PlantedAdversary> planted = new java.util.ArrayList<>();
        for (String a : adversaries) {
            try {
                planted.add(SimConfig.PlantedAdversary.parse(a));
            } catch (IllegalArgumentException e) {
                throw bad(e.getMessage());
            }
        }
        try {
            FaultMix mix = FaultMix.parse(faultKinds != null ? faultKinds : "all", faultIntensity != null ? faultIntensity : "some");
            return c.toBuilder().updatesPerClient(perClient).clientSite(clientSite).clientThinkMillis(thinkMillis).plantedAdversaries(planted)
                    .faultMix(mix).build();
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    /** A swarm draws these per seed; naming one as well would be silently overridden. */
    private void refuseWithSwarm() {
        Map<String, Boolean> given = new java.util.LinkedHashMap<>();
        given.put("--composition", deployment.composition != null);
        given.put("--sites", deployment.sites != null);
        given.put("--servers-per-site", deployment.serversPerSite != null);
        given.put("--faults", deployment.faults != null);
        given.put("--lm-signatures", deployment.lmSignatures != null);
        given.put("--updates-per-client", deployment.updatesPerClient != null);
        given.put("--adversary", !adversaries.isEmpty());
        given.put("--fault-kinds", faultKinds != null);
        given.put("--fault-intensity", faultIntensity != null);
        given.put("--client-site", clientSite != -1);
        given.put("--wide-in-flight", deployment.wideInFlight != null);
        given.put("--wide-forward", deployment.wideForward != null);
        given.put("--clink-opt", deployment.clinkOpt != null);
        given.put("--local-batch-delay", deployment.localBatchDelay != null);
        for (Map.Entry<String, Boolean> e : given.entrySet()) {
            if (e.getValue()) throw bad("--swarm draws " + e.getKey() + " for every seed; leave " + e.getKey() + " out, or replay one seed without --swarm");
        }
    }

    private <T> T parse(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
