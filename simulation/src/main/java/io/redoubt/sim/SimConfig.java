package io.redoubt.sim;

import io.redoubt.bft.PbftConfig;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.server.LmKeyring;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.sim.adversary.Adversary;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One simulation run. Times are virtual.
 *
 * @param clientSite the one site whose clients run, or -1 for clients at every site
 * @param clientThinkMillis pause between a reply and a client's next update; 0 means a random
 *     0-2 ms, which keeps clients out of lock-step
 * @param configFile the deployment file the settings came from, or null (for the replay command)
 * @param livenessBoundMillis after the network heals, every update of a correct client must be
 *     executed by every correct server within this long of being proposed (or of the heal, if
 *     proposed earlier): the bound the liveness checker enforces
 */
public record SimConfig(
        Composition composition,
        int sites,
        int serversPerSite,
        int clientsPerSite,
        int updatesPerClient,
        FaultProfile faults,
        long seed,
        String signatureScheme,
        long wanLatencyMicros,
        long wanBandwidthBitsPerSecond,
        long safetyPhaseMillis,
        long livenessBoundMillis,
        PaxosConfig localPaxos,
        PaxosConfig widePaxos,
        CoreFactory localOverride,
        CoreFactory wideOverride,
        int clientSite,
        String configFile,
        long clientThinkMillis,
        PbftConfig localPbft,
        PbftConfig widePbft,
        LmKeyring.Kind byzantineSiteSigning,
        int thresholdKeyBits,
        boolean amortized,
        List<PlantedAdversary> plantedAdversaries,
        boolean weakLmSignatures) {

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
        if (sites < 1) throw new IllegalArgumentException("--sites must be >= 1, was " + sites);
        if (serversPerSite < 1) throw new IllegalArgumentException("--servers-per-site must be >= 1, was " + serversPerSite);
        if (clientsPerSite < 0) throw new IllegalArgumentException("clients per site must be >= 0, was " + clientsPerSite);
        if (updatesPerClient < 0) throw new IllegalArgumentException("updates per client must be >= 0, was " + updatesPerClient);
        if (clientSite < -1 || clientSite >= sites) throw new IllegalArgumentException("client site must be -1 (every site) or in [0, " + sites + "), was " + clientSite);
        composition.checkTopology(sites, serversPerSite);
        if (byzantineSiteSigning == LmKeyring.Kind.SITE_KEY) {
            throw new IllegalArgumentException("a Byzantine site cannot sign with one site key; valid: threshold, certificate");
        }
        plantedAdversaries = List.copyOf(plantedAdversaries);
        checkPlanted(composition, sites, serversPerSite, plantedAdversaries);
    }

    /** Planted adversaries must respect the composition's assumptions, like drawn ones (section 4.2). */
    private static void checkPlanted(Composition comp, int sites, int serversPerSite, List<PlantedAdversary> planted) {
        Map<Integer, Integer> perSite = new TreeMap<>();
        int wholeSites = 0;
        for (PlantedAdversary a : planted) {
            String key = "--adversary " + a;
            if (a.site() < 0 || a.site() >= sites) throw new IllegalArgumentException(key + ": site " + a.site() + " outside [0, " + sites + ")");
            if (a.kind().wholeSite() != (a.server() < 0)) {
                throw new IllegalArgumentException(key + ": " + a.kind().cliName() + (a.kind().wholeSite()
                        ? " takes a whole site; write SITE=" : " is one server; write SITE.SERVER=") + a.kind().cliName());
            }
            if (a.kind().wholeSite()) {
                if (!comp.byzantineWideArea()) {
                    throw new IllegalArgumentException(key + ": with " + comp.wideProtocol() + " on the wide area no site may be compromised; use bft on the wide area");
                }
                if (++wholeSites > comp.wideFaults(sites)) {
                    throw new IllegalArgumentException(key + ": more than F = " + comp.wideFaults(sites) + " compromised sites among " + sites);
                }
                if (perSite.containsKey(a.site())) throw new IllegalArgumentException(key + ": site " + a.site() + " is planted twice");
                perSite.put(a.site(), serversPerSite);
            } else {
                if (!comp.byzantineSites()) {
                    throw new IllegalArgumentException(key + ": " + comp.localProtocol() + " sites have crash faults only; use bft inside sites");
                }
                if (a.server() >= serversPerSite) throw new IllegalArgumentException(key + ": server " + a.server() + " outside [0, " + serversPerSite + ")");
                int f = comp.siteFaults(serversPerSite);
                if (perSite.merge(a.site(), 1, Integer::sum) > f) {
                    throw new IllegalArgumentException(key + ": more than f = " + f + " Byzantine servers in site " + a.site());
                }
            }
        }
    }

    /** Defaults: the dissertation's WAN (50 ms links, 10 Mbit/s; section 4.7), about 200 updates. */
    public static SimConfig defaults(Composition composition, int sites, int serversPerSite) {
        int clientsPerSite = 2;
        int updatesPerClient = (200 + sites * clientsPerSite - 1) / (sites * clientsPerSite);
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, FaultProfile.BENIGN, 1,
                "simulated", 25_000, 10_000_000, 6_000, 60_000,
                PaxosConfig.localDefaults(), PaxosConfig.wideAreaDefaults(), null, null, -1, null, 0,
                PbftConfig.localDefaults(), PbftConfig.wideAreaDefaults(), LmKeyring.Kind.THRESHOLD, SIMULATION_THRESHOLD_KEY_BITS, true,
                List.of(), false);
    }

    /**
     * Threshold-RSA modulus in campaigns with the simulated signature stand-in: small, so that a
     * seed deals its keys in milliseconds; like the stand-in, sound only inside the simulator.
     * With real signatures keys are 2048 bits unless configured otherwise.
     */
    public static final int SIMULATION_THRESHOLD_KEY_BITS = 512;

    /** Whether threshold keys of this run are below the 2048-bit minimum (allowed only with simulated signatures). */
    public boolean insecureThresholdKeys() {
        return thresholdKeyBits < io.redoubt.lm.crypto.threshold.ThresholdParameters.MODULUS_BITS_MIN;
    }

    public SimConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    public SimConfig withFaults(FaultProfile f) {
        return toBuilder().faults(f).build();
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

    /** Replaces the cores a tier is built from (tests use this to plant a deliberately broken protocol). */
    public SimConfig withCoreOverrides(CoreFactory local, CoreFactory wide) {
        return toBuilder().localOverride(local).wideOverride(wide).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A mutable copy, so each change is one call rather than a sixteen-argument constructor. */
    public static final class Builder {
        private Composition composition;
        private int sites, serversPerSite, clientsPerSite, updatesPerClient;
        private FaultProfile faults;
        private long seed;
        private String signatureScheme;
        private long wanLatencyMicros, wanBandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis;
        private PaxosConfig localPaxos, widePaxos;
        private CoreFactory localOverride, wideOverride;
        private int clientSite;
        private String configFile;
        private long clientThinkMillis;
        private PbftConfig localPbft, widePbft;
        private LmKeyring.Kind byzantineSiteSigning;
        private int thresholdKeyBits;
        private boolean amortized;
        private List<PlantedAdversary> plantedAdversaries;
        private boolean weakLmSignatures;

        private Builder(SimConfig c) {
            composition = c.composition;
            sites = c.sites;
            serversPerSite = c.serversPerSite;
            clientsPerSite = c.clientsPerSite;
            updatesPerClient = c.updatesPerClient;
            faults = c.faults;
            seed = c.seed;
            signatureScheme = c.signatureScheme;
            wanLatencyMicros = c.wanLatencyMicros;
            wanBandwidthBitsPerSecond = c.wanBandwidthBitsPerSecond;
            safetyPhaseMillis = c.safetyPhaseMillis;
            livenessBoundMillis = c.livenessBoundMillis;
            localPaxos = c.localPaxos;
            widePaxos = c.widePaxos;
            localOverride = c.localOverride;
            wideOverride = c.wideOverride;
            clientSite = c.clientSite;
            configFile = c.configFile;
            clientThinkMillis = c.clientThinkMillis;
            localPbft = c.localPbft;
            widePbft = c.widePbft;
            byzantineSiteSigning = c.byzantineSiteSigning;
            thresholdKeyBits = c.thresholdKeyBits;
            amortized = c.amortized;
            plantedAdversaries = c.plantedAdversaries;
            weakLmSignatures = c.weakLmSignatures;
        }

        public Builder composition(Composition v) { composition = v; return this; }
        public Builder sites(int v) { sites = v; return this; }
        public Builder serversPerSite(int v) { serversPerSite = v; return this; }
        public Builder clientsPerSite(int v) { clientsPerSite = v; return this; }
        public Builder updatesPerClient(int v) { updatesPerClient = v; return this; }
        public Builder faults(FaultProfile v) { faults = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder signatureScheme(String v) { signatureScheme = v; return this; }
        public Builder wanLatencyMicros(long v) { wanLatencyMicros = v; return this; }
        public Builder wanBandwidthBitsPerSecond(long v) { wanBandwidthBitsPerSecond = v; return this; }
        public Builder safetyPhaseMillis(long v) { safetyPhaseMillis = v; return this; }
        public Builder livenessBoundMillis(long v) { livenessBoundMillis = v; return this; }
        public Builder localPaxos(PaxosConfig v) { localPaxos = v; return this; }
        public Builder widePaxos(PaxosConfig v) { widePaxos = v; return this; }
        public Builder localOverride(CoreFactory v) { localOverride = v; return this; }
        public Builder wideOverride(CoreFactory v) { wideOverride = v; return this; }
        public Builder clientSite(int v) { clientSite = v; return this; }
        public Builder configFile(String v) { configFile = v; return this; }
        public Builder clientThinkMillis(long v) { clientThinkMillis = v; return this; }
        public Builder localPbft(PbftConfig v) { localPbft = v; return this; }
        public Builder widePbft(PbftConfig v) { widePbft = v; return this; }
        public Builder byzantineSiteSigning(LmKeyring.Kind v) { byzantineSiteSigning = v; return this; }
        public Builder thresholdKeyBits(int v) { thresholdKeyBits = v; return this; }
        public Builder amortized(boolean v) { amortized = v; return this; }
        public Builder plantedAdversaries(List<PlantedAdversary> v) { plantedAdversaries = v; return this; }
        public Builder weakLmSignatures(boolean v) { weakLmSignatures = v; return this; }

        public SimConfig build() {
            return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, faults, seed, signatureScheme,
                    wanLatencyMicros, wanBandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis, localPaxos, widePaxos,
                    localOverride, wideOverride, clientSite, configFile, clientThinkMillis, localPbft, widePbft, byzantineSiteSigning,
                    thresholdKeyBits, amortized, plantedAdversaries, weakLmSignatures);
        }
    }

    /** The local tier's cores; PBFT signs its messages with the servers' keys in {@code keys}. */
    public CoreFactory localFactory(KeyDirectory keys) {
        return localOverride != null ? localOverride : composition.localFactory(unamortizedIfAsked(), keys);
    }

    /**
     * With amortization off (to compare with Table 4.3, which the dissertation measured without
     * the section 4.6 optimizations), every ordering instance carries one event.
     */
    private SimConfig unamortizedIfAsked() {
        if (amortized) return this;
        return toBuilder().localPaxos(localPaxos.withBatchPayloadsMax(1)).widePaxos(widePaxos.withBatchPayloadsMax(1))
                .localPbft(localPbft.withBatchPayloadsMax(1)).widePbft(widePbft.withBatchPayloadsMax(1)).amortized(true).build();
    }

    /** The wide tier's cores; PBFT among sites signs with {@code wideKeys}, the sites' LM proofs. */
    public CoreFactory wideFactory(io.redoubt.bft.NodeKeys.Provider wideKeys) {
        return wideOverride != null ? wideOverride : composition.wideFactory(unamortizedIfAsked(), wideKeys);
    }

    public int clientSites() {
        return clientSite < 0 ? sites : 1;
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
        sb.append(" --composition ").append(composition.cliName()).append(" --sites ").append(sites)
                .append(" --servers-per-site ").append(serversPerSite).append(" --faults ").append(faults.cliName())
                .append(" --clients-per-site ").append(clientsPerSite).append(" --updates-per-client ").append(updatesPerClient)
                .append(" --signatures ").append(signatureScheme).append(" --seed ").append(seed).append(" --seeds 1");
        if (composition.localProtocol().equals("bft")) {
            sb.append(" --lm-signatures ").append(byzantineSiteSigning.name().toLowerCase(java.util.Locale.ROOT));
            if (byzantineSiteSigning == LmKeyring.Kind.THRESHOLD) sb.append(" --threshold-key-bits ").append(thresholdKeyBits);
        }
        if (clientSite >= 0) sb.append(" --client-site ").append(clientSite);
        if (clientThinkMillis > 0) sb.append(" --client-think ").append(clientThinkMillis).append("ms");
        for (PlantedAdversary a : plantedAdversaries) sb.append(" --adversary ").append(a);
        if (localOverride != null || wideOverride != null || weakLmSignatures) {
            sb.append("   (with test code planted:").append(localOverride != null ? " local " + localOverride.protocolName() : "")
                    .append(wideOverride != null ? " wide " + wideOverride.protocolName() : "")
                    .append(weakLmSignatures ? " LM signatures of f shares" : "").append("; replay through the test)");
        }
        return sb.toString();
    }
}
