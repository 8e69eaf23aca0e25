package io.redoubt.sim;

import io.redoubt.bft.PbftConfig;
import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.app.StateMachine;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.sim.adversary.Adversary;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One simulation run: a {@link Deployment} (what the assembly builds) plus what only a
 * simulation has: the workload, the faults, the seed and the test hooks. Times are virtual.
 *
 * @param clientSite the one site whose clients run, or -1 for clients at every site
 * @param clientThinkMillis pause between a reply and a client's next update; 0 means a random
 *     0-2 ms, which keeps clients out of lock-step
 * @param configFile the deployment file the settings came from, or null (for the replay command)
 * @param livenessBoundMillis after the network heals, every update of a correct client must be
 *     executed by every correct server within this long of being proposed (or of the heal, if
 *     proposed earlier): the bound the liveness checker enforces
 * @param faultMix the benign fault kinds the safety phase draws from, and how many
 */
public record SimConfig(
        Deployment deployment,
        int clientsPerSite,
        int updatesPerClient,
        FaultProfile faults,
        long seed,
        String signatureScheme,
        long safetyPhaseMillis,
        long livenessBoundMillis,
        CoreFactory localOverride,
        CoreFactory wideOverride,
        int clientSite,
        String configFile,
        long clientThinkMillis,
        List<PlantedAdversary> plantedAdversaries,
        boolean weakLmSignatures,
        PlantedApp plantedApp,
        FaultMix faultMix,
        boolean adversariesBeyondAssumptions,
        PlantedBug plantedBug) {

    /**
     * Test code only: a deliberately broken server, planted in every server's parts (a signer, a
     * core) and, if {@code uncheckedOrderedWideEvents}, in its logical machine, which then skips
     * its check of ordered wide-area messages, and if {@code vouchesUnchecked}, in its node, which
     * then vouches for client signatures it never checked. {@code description} names it in the
     * replay command.
     */
    public record PlantedBug(String description, java.util.function.UnaryOperator<io.redoubt.compose.ServerAssembly.Parts> parts,
                             boolean uncheckedOrderedWideEvents, boolean vouchesUnchecked) {
        public PlantedBug(String description, java.util.function.UnaryOperator<io.redoubt.compose.ServerAssembly.Parts> parts,
                          boolean uncheckedOrderedWideEvents) {
            this(description, parts, uncheckedOrderedWideEvents, false);
        }
    }

    /** Test code only: {@code server} runs {@code app} instead of a correct copy of the service (a non-deterministic executor). */
    public record PlantedApp(ServerId server, java.util.function.Supplier<StateMachine> app) {}

    /**
     * An adversary put in place by hand ({@code --adversary}) instead of drawn from the seed: one
     * server ({@code server >= 0}) or, for a whole-site kind, every server of {@code site}.
     */
    public record PlantedAdversary(int site, int server, Adversary kind) {
        /** Parses {@code S.I=kind} (one server) or {@code S=kind} (a whole site). */
        public static PlantedAdversary parse(String spec) {
            int eq = spec.indexOf('=');
            String fix = "; write SITE.SERVER=KIND for a server or SITE=KIND for a whole site, e.g. 0.0=equivocating-leader or 2=silent-site";
            if (eq < 0) throw new IllegalArgumentException("--adversary '" + spec + "' has no '='" + fix);
            String where = spec.substring(0, eq);
            Adversary kind = Adversary.parse(spec.substring(eq + 1));
            try {
                int dot = where.indexOf('.');
                if (dot < 0) return new PlantedAdversary(Integer.parseInt(where), -1, kind);
                return new PlantedAdversary(Integer.parseInt(where.substring(0, dot)), Integer.parseInt(where.substring(dot + 1)), kind);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--adversary '" + spec + "': '" + where + "' is not SITE or SITE.SERVER" + fix);
            }
        }

        @Override
        public String toString() {
            return (server < 0 ? String.valueOf(site) : site + "." + server) + "=" + kind.cliName();
        }
    }

    public SimConfig {
        if (clientsPerSite < 0) throw new IllegalArgumentException("clients per site must be >= 0, was " + clientsPerSite);
        if (updatesPerClient < 0) throw new IllegalArgumentException("updates per client must be >= 0, was " + updatesPerClient);
        if (clientSite < -1 || clientSite >= deployment.sites()) {
            throw new IllegalArgumentException("client site must be -1 (every site) or in [0, " + deployment.sites() + "), was " + clientSite);
        }
        plantedAdversaries = List.copyOf(plantedAdversaries);
        if (!adversariesBeyondAssumptions) checkPlanted(deployment, plantedAdversaries);
        if (faultMix == null) throw new IllegalArgumentException("fault mix must not be null; FaultMix.DEFAULT is every kind");
    }

    /** Every fault kind at today's intensity ({@link FaultMix#DEFAULT}), adversaries within the assumptions. */
    public SimConfig(Deployment deployment, int clientsPerSite, int updatesPerClient, FaultProfile faults, long seed, String signatureScheme,
                     long safetyPhaseMillis, long livenessBoundMillis, CoreFactory localOverride, CoreFactory wideOverride, int clientSite,
                     String configFile, long clientThinkMillis, List<PlantedAdversary> plantedAdversaries, boolean weakLmSignatures,
                     PlantedApp plantedApp) {
        this(deployment, clientsPerSite, updatesPerClient, faults, seed, signatureScheme, safetyPhaseMillis, livenessBoundMillis, localOverride,
                wideOverride, clientSite, configFile, clientThinkMillis, plantedAdversaries, weakLmSignatures, plantedApp, FaultMix.DEFAULT, false, null);
    }

    /** Planted adversaries must respect the composition's assumptions, like drawn ones (section 4.2). */
    private static void checkPlanted(Deployment d, List<PlantedAdversary> planted) {
        Composition comp = d.composition();
        Map<Integer, Integer> perSite = new TreeMap<>();
        int wholeSites = 0;
        for (PlantedAdversary a : planted) {
            String key = "--adversary " + a;
            if (a.site() < 0 || a.site() >= d.sites()) throw new IllegalArgumentException(key + ": site " + a.site() + " outside [0, " + d.sites() + ")");
            if (a.kind().wholeSite() != (a.server() < 0)) {
                throw new IllegalArgumentException(key + ": " + a.kind().cliName() + (a.kind().wholeSite()
                        ? " takes a whole site; write SITE=" : " is one server; write SITE.SERVER=") + a.kind().cliName());
            }
            io.redoubt.lm.SiteId site = new io.redoubt.lm.SiteId(a.site());
            if (a.kind().wholeSite()) {
                if (!comp.wide().byzantine()) {
                    throw new IllegalArgumentException(key + ": with " + comp.wide().cliName() + " on the wide area no site may be compromised; use bft on the wide area");
                }
                if (++wholeSites > d.wideFaults()) {
                    throw new IllegalArgumentException(key + ": more than F = " + d.wideFaults() + " compromised sites among " + d.sites());
                }
                if (perSite.containsKey(a.site())) throw new IllegalArgumentException(key + ": site " + a.site() + " is planted twice");
                perSite.put(a.site(), d.serversAt(site));
            } else {
                // A silent server is a server crashed from the start, which a crash-fault site tolerates too.
                if (!d.localAt(site).byzantine() && a.kind() != io.redoubt.sim.adversary.Adversary.SILENT) {
                    throw new IllegalArgumentException(key + ": " + d.localAt(site).cliName()
                            + " sites have crash faults only; use silent (crashed from the start), or bft inside sites");
                }
                if (a.server() >= d.serversAt(site)) throw new IllegalArgumentException(key + ": server " + a.server() + " outside [0, " + d.serversAt(site) + ")");
                int f = d.siteFaults(site);
                if (perSite.merge(a.site(), 1, Integer::sum) > f) {
                    throw new IllegalArgumentException(key + ": more than f = " + f + " faulty servers in site " + a.site());
                }
            }
        }
    }

    /** Defaults: the dissertation's WAN (50 ms links, 10 Mbit/s; section 4.7), about 200 updates, benign faults, simulated signatures. */
    public static SimConfig defaults(Composition composition, int sites, int serversPerSite) {
        return defaults(Deployment.defaults(composition, sites, serversPerSite));
    }

    public static SimConfig defaults(Deployment deployment) {
        int clientsPerSite = 2;
        int updatesPerClient = (200 + deployment.sites() * clientsPerSite - 1) / (deployment.sites() * clientsPerSite);
        return new SimConfig(deployment, clientsPerSite, updatesPerClient, FaultProfile.BENIGN, 1, "simulated", 6_000, 60_000,
                null, null, -1, null, 0, List.of(), false, null);
    }

    public Composition composition() {
        return deployment.composition();
    }

    public int sites() {
        return deployment.sites();
    }

    public SimConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    public SimConfig withFaults(FaultProfile f) {
        return toBuilder().faults(f).build();
    }

    /** BLink (section 4.4.1) on or off, with its other settings as they are. */
    public SimConfig withBlink(boolean on) {
        return toBuilder().blink(deployment.blink().withEnabled(on)).build();
    }

    public SimConfig withFaultMix(FaultMix m) {
        return toBuilder().faultMix(m).build();
    }

    public SimConfig withWorkload(int clientsPerSite, int updatesPerClient) {
        return toBuilder().clientsPerSite(clientsPerSite).updatesPerClient(updatesPerClient).build();
    }

    public SimConfig withSignatureScheme(String scheme) {
        return toBuilder().signatureScheme(scheme).build();
    }

    public SimConfig withPbft(PbftConfig local, PbftConfig wide) {
        return toBuilder().localPbft(local).widePbft(wide).build();
    }

    /**
     * As {@link #withCompaction(int, int)}, and the wide-area cores keeping {@code wideHistory}
     * decided slots. PBFT keeps at least its window, so a shorter history shrinks the window to
     * it, with a checkpoint every half window: a short run then certifies global states and
     * drops what a site cut off needs.
     */
    public SimConfig withCompaction(int interval, int history, int wideHistory) {
        SimConfig c = withCompaction(interval, history);
        // A catch-up reply carries at most half the history, so that short histories still compact (history >= catch-up).
        PaxosConfig paxos = c.deployment().widePaxos();
        paxos = paxos.withCatchUpSlotsMax(Math.max(1, Math.min(paxos.catchUpSlotsMax(), wideHistory / 2))).withHistorySlotsMax(wideHistory);
        PbftConfig pbft = c.deployment().widePbft();
        if (wideHistory < pbft.windowSlots()) pbft = pbft.withWindow(wideHistory, Math.max(1, wideHistory / 2));
        return c.toBuilder().widePaxos(paxos).widePbft(pbft.withHistorySlotsMax(Math.max(wideHistory, pbft.windowSlots()))).build();
    }

    /**
     * Log compaction every {@code interval} local slots, and local Paxos keeping {@code history}
     * decided slots (issue 18): small values make a short run snapshot, compact and transfer.
     */
    public SimConfig withCompaction(int interval, int history) {
        return toBuilder().snapshotIntervalSlots(interval).localPaxos(deployment.localPaxos().withHistorySlotsMax(history))
                .localPbft(deployment.localPbft().withHistorySlotsMax(history)).build();
    }

    public SimConfig withPaxos(PaxosConfig local, PaxosConfig wide) {
        return toBuilder().localPaxos(local).widePaxos(wide).build();
    }

    /** Puts these adversaries in place instead of drawing them from the seed. */
    public SimConfig withAdversaries(List<PlantedAdversary> planted) {
        return toBuilder().plantedAdversaries(planted).build();
    }

    /**
     * Test code only: Byzantine sites sign, and every logical machine accepts, with f shares
     * instead of f+1, so that one faulty server can speak for its site. The checkers must catch it.
     */
    public SimConfig withWeakLmSignatures() {
        return toBuilder().weakLmSignatures(true).build();
    }

    /**
     * Test code only: these adversaries, unchecked against the composition's assumptions (e.g. f+1
     * twins in one BFT site), to show that the checkers report what the protocols then cannot prevent.
     */
    public SimConfig withAdversariesBeyondAssumptions(List<PlantedAdversary> planted) {
        return toBuilder().plantedAdversaries(planted).adversariesBeyondAssumptions(true).build();
    }

    /** Test code only: {@code server} runs {@code app} instead of a correct copy of the service. */
    public SimConfig withPlantedApp(ServerId server, java.util.function.Supplier<StateMachine> app) {
        return toBuilder().plantedApp(new PlantedApp(server, app)).build();
    }

    /** Test code only: {@code bug} planted in every server (see {@link PlantedBug}). */
    public SimConfig withPlantedBug(PlantedBug bug) {
        return toBuilder().plantedBug(bug).build();
    }

    /** Replaces the cores a tier is built from (tests use this to plant a deliberately broken protocol). */
    public SimConfig withCoreOverrides(CoreFactory local, CoreFactory wide) {
        return toBuilder().localOverride(local).wideOverride(wide).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A mutable copy, so each change is one call; deployment settings pass through to a {@link Deployment.Builder}. */
    public static final class Builder {
        private final Deployment.Builder deployment;
        private int clientsPerSite, updatesPerClient;
        private FaultProfile faults;
        private long seed;
        private String signatureScheme;
        private long safetyPhaseMillis, livenessBoundMillis;
        private CoreFactory localOverride, wideOverride;
        private int clientSite;
        private String configFile;
        private long clientThinkMillis;
        private List<PlantedAdversary> plantedAdversaries;
        private boolean weakLmSignatures;
        private PlantedApp plantedApp;
        private FaultMix faultMix;
        private boolean adversariesBeyondAssumptions;
        private PlantedBug plantedBug;

        private Builder(SimConfig c) {
            deployment = c.deployment.toBuilder();
            clientsPerSite = c.clientsPerSite;
            updatesPerClient = c.updatesPerClient;
            faults = c.faults;
            seed = c.seed;
            signatureScheme = c.signatureScheme;
            safetyPhaseMillis = c.safetyPhaseMillis;
            livenessBoundMillis = c.livenessBoundMillis;
            localOverride = c.localOverride;
            wideOverride = c.wideOverride;
            clientSite = c.clientSite;
            configFile = c.configFile;
            clientThinkMillis = c.clientThinkMillis;
            plantedAdversaries = c.plantedAdversaries;
            weakLmSignatures = c.weakLmSignatures;
            plantedApp = c.plantedApp;
            faultMix = c.faultMix;
            adversariesBeyondAssumptions = c.adversariesBeyondAssumptions;
            plantedBug = c.plantedBug;
        }

        public Builder deployment(Deployment v) { deployment.composition(v.composition()).sites(v.sites()).serversPerSite(v.serversPerSite())
                .wanLatencyMicros(v.wanLatencyMicros()).wanBandwidthBitsPerSecond(v.wanBandwidthBitsPerSecond()).localPaxos(v.localPaxos())
                .widePaxos(v.widePaxos()).localPbft(v.localPbft()).widePbft(v.widePbft()).byzantineSiteSigning(v.byzantineSiteSigning())
                .thresholdKeyBits(v.thresholdKeyBits()).amortized(v.amortized())
                .clinkForwardTimeoutMillis(v.clinkForwardTimeoutMillis()).blink(v.blink()).snapshotIntervalSlots(v.snapshotIntervalSlots()); return this; }
        public Builder snapshotIntervalSlots(int v) { deployment.snapshotIntervalSlots(v); return this; }
        public Builder composition(Composition v) { deployment.composition(v); return this; }
        public Builder sites(int v) { deployment.sites(v); return this; }
        public Builder serversPerSite(int v) { deployment.serversPerSite(v); return this; }
        public Builder wanLatencyMicros(long v) { deployment.wanLatencyMicros(v); return this; }
        public Builder wanBandwidthBitsPerSecond(long v) { deployment.wanBandwidthBitsPerSecond(v); return this; }
        public Builder localPaxos(PaxosConfig v) { deployment.localPaxos(v); return this; }
        public Builder widePaxos(PaxosConfig v) { deployment.widePaxos(v); return this; }
        public Builder localPbft(PbftConfig v) { deployment.localPbft(v); return this; }
        public Builder widePbft(PbftConfig v) { deployment.widePbft(v); return this; }
        public Builder byzantineSiteSigning(LmKeyring.Kind v) { deployment.byzantineSiteSigning(v); return this; }
        public Builder thresholdKeyBits(int v) { deployment.thresholdKeyBits(v); return this; }
        public Builder amortized(boolean v) { deployment.amortized(v); return this; }
        public Builder clinkForwardTimeoutMillis(long v) { deployment.clinkForwardTimeoutMillis(v); return this; }
        public Builder blink(io.redoubt.blink.BLinkConfig v) { deployment.blink(v); return this; }
        public Builder clientsPerSite(int v) { clientsPerSite = v; return this; }
        public Builder updatesPerClient(int v) { updatesPerClient = v; return this; }
        public Builder faults(FaultProfile v) { faults = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder signatureScheme(String v) { signatureScheme = v; return this; }
        public Builder safetyPhaseMillis(long v) { safetyPhaseMillis = v; return this; }
        public Builder livenessBoundMillis(long v) { livenessBoundMillis = v; return this; }
        public Builder localOverride(CoreFactory v) { localOverride = v; return this; }
        public Builder wideOverride(CoreFactory v) { wideOverride = v; return this; }
        public Builder clientSite(int v) { clientSite = v; return this; }
        public Builder configFile(String v) { configFile = v; return this; }
        public Builder clientThinkMillis(long v) { clientThinkMillis = v; return this; }
        public Builder plantedAdversaries(List<PlantedAdversary> v) { plantedAdversaries = v; return this; }
        public Builder weakLmSignatures(boolean v) { weakLmSignatures = v; return this; }
        public Builder plantedApp(PlantedApp v) { plantedApp = v; return this; }
        public Builder adversariesBeyondAssumptions(boolean v) { adversariesBeyondAssumptions = v; return this; }
        public Builder faultMix(FaultMix v) { faultMix = v; return this; }
        public Builder plantedBug(PlantedBug v) { plantedBug = v; return this; }

        public SimConfig build() {
            return new SimConfig(deployment.build(), clientsPerSite, updatesPerClient, faults, seed, signatureScheme, safetyPhaseMillis,
                    livenessBoundMillis, localOverride, wideOverride, clientSite, configFile, clientThinkMillis, plantedAdversaries,
                    weakLmSignatures, plantedApp, faultMix, adversariesBeyondAssumptions, plantedBug);
        }
    }

    public int clientSites() {
        return clientSite < 0 ? deployment.sites() : 1;
    }

    public int totalUpdates() {
        return clientSites() * clientsPerSite * updatesPerClient;
    }

    /**
     * The one command that replays this run: it names everything the command line can set that
     * shapes the run. A run with planted cores (a test's broken protocol) names them, since no
     * command line can plant them.
     */
    public String replayCommand() {
        StringBuilder sb = new StringBuilder("bin/redoubt sim");
        if (configFile != null) sb.append(" --config ").append(configFile);
        sb.append(" --composition ").append(deployment.composition().cliName()).append(" --sites ").append(deployment.sites())
                .append(" --servers-per-site ").append(deployment.serversPerSite()).append(" --faults ").append(faults.cliName())
                .append(" --clients-per-site ").append(clientsPerSite).append(" --updates-per-client ").append(updatesPerClient)
                .append(" --signatures ").append(signatureScheme).append(" --seed ").append(seed).append(" --seeds 1");
        if (faults != FaultProfile.NONE) {
            sb.append(" --fault-kinds ").append(faultMix.kindsCliValue()).append(" --fault-intensity ").append(faultMix.intensity().cliName());
        }
        if (deployment.composition().anyByzantineSite()) {
            sb.append(" --lm-signatures ").append(deployment.byzantineSiteSigning().name().toLowerCase(java.util.Locale.ROOT));
            if (deployment.byzantineSiteSigning() == LmKeyring.Kind.THRESHOLD) sb.append(" --threshold-key-bits ").append(deployment.thresholdKeyBits());
        }
        // The wide-area protocol's aggregation settings, where they differ from the defaults (swarm draws them).
        boolean widePbft = deployment.composition().wide().byzantine();
        int inFlight = widePbft ? deployment.widePbft().inFlightSlotsMax() : deployment.widePaxos().inFlightSlotsMax();
        int inFlightDefault = widePbft ? PbftConfig.wideAreaDefaults().inFlightSlotsMax()
                : PaxosConfig.wideAreaDefaults().inFlightSlotsMax();
        if (inFlight != inFlightDefault) sb.append(" --wide-in-flight ").append(inFlight);
        if (widePbft && deployment.widePbft().forwardToPrimaryFirst() != PbftConfig.wideAreaDefaults().forwardToPrimaryFirst()) {
            sb.append(" --wide-forward ").append(deployment.widePbft().forwardToPrimaryFirst() ? "primary-first" : "all");
        }
        if (deployment.localPbft().batchDelayMillis() != PbftConfig.localDefaults().batchDelayMillis()) {
            sb.append(" --local-batch-delay ").append(deployment.localPbft().batchDelayMillis()).append("ms");
        }
        // The wide-area history of the protocol among sites (withCompaction(int, int, int) sets both,
        // and for PBFT below its window the window with it).
        int wideHistory = widePbft ? deployment.widePbft().historySlotsMax() : deployment.widePaxos().historySlotsMax();
        int wideHistoryDefault = widePbft ? PbftConfig.wideAreaDefaults().historySlotsMax() : PaxosConfig.wideAreaDefaults().historySlotsMax();
        if (deployment.snapshotIntervalSlots() != io.redoubt.lm.server.ServerConfig.SNAPSHOT_INTERVAL_DEFAULT
                || deployment.localPaxos().historySlotsMax() != PaxosConfig.localDefaults().historySlotsMax()
                || deployment.localPbft().historySlotsMax() != PbftConfig.localDefaults().historySlotsMax()
                || wideHistory != wideHistoryDefault) {
            sb.append(" --compaction ").append(deployment.snapshotIntervalSlots()).append('/').append(deployment.localPaxos().historySlotsMax());
            if (wideHistory != wideHistoryDefault) sb.append('/').append(wideHistory);
        }
        if (!deployment.clinkOpt()) sb.append(" --clink-opt off");
        if (!deployment.blink().enabled()) sb.append(" --blink off");
        if (clientSite >= 0) sb.append(" --client-site ").append(clientSite);
        if (clientThinkMillis > 0) sb.append(" --client-think ").append(clientThinkMillis).append("ms");
        for (PlantedAdversary a : plantedAdversaries) sb.append(" --adversary ").append(a);
        if (localOverride != null || wideOverride != null || weakLmSignatures || plantedApp != null || adversariesBeyondAssumptions
                || plantedBug != null) {
            sb.append("   (with test code planted:").append(localOverride != null ? " local " + localOverride.protocolName() : "")
                    .append(wideOverride != null ? " wide " + wideOverride.protocolName() : "")
                    .append(weakLmSignatures ? " LM signatures of f shares" : "")
                    .append(plantedApp != null ? " a non-deterministic application at " + plantedApp.server() : "")
                    .append(adversariesBeyondAssumptions ? " adversaries beyond the assumptions" : "")
                    .append(plantedBug != null ? " " + plantedBug.description() : "").append("; replay through the test)");
        }
        return sb.toString();
    }
}
