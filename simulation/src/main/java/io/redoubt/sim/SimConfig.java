package io.redoubt.sim;

import io.redoubt.lm.core.CoreFactory;
import io.redoubt.paxos.PaxosConfig;

/**
 * One simulation run. Times are virtual.
 *
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
        CoreFactory wideOverride) {

    public SimConfig {
        if (sites < 1) throw new IllegalArgumentException("--sites must be >= 1, was " + sites);
        if (serversPerSite < 1) throw new IllegalArgumentException("--servers-per-site must be >= 1, was " + serversPerSite);
        if (clientsPerSite < 0) throw new IllegalArgumentException("clients per site must be >= 0, was " + clientsPerSite);
        if (updatesPerClient < 0) throw new IllegalArgumentException("updates per client must be >= 0, was " + updatesPerClient);
    }

    /** Defaults: the dissertation's WAN (50 ms links, 10 Mbit/s; section 4.7), about 200 updates. */
    public static SimConfig defaults(Composition composition, int sites, int serversPerSite) {
        int clientsPerSite = 2;
        int updatesPerClient = (200 + sites * clientsPerSite - 1) / (sites * clientsPerSite);
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, FaultProfile.BENIGN, 1,
                "simulated", 25_000, 10_000_000, 6_000, 60_000,
                PaxosConfig.localDefaults(), PaxosConfig.wideAreaDefaults(), null, null);
    }

    public SimConfig withSeed(long s) {
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, faults, s, signatureScheme,
                wanLatencyMicros, wanBandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis, localPaxos, widePaxos, localOverride, wideOverride);
    }

    public SimConfig withFaults(FaultProfile f) {
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, f, seed, signatureScheme,
                wanLatencyMicros, wanBandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis, localPaxos, widePaxos, localOverride, wideOverride);
    }

    public SimConfig withWorkload(int clientsPerSite, int updatesPerClient) {
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, faults, seed, signatureScheme,
                wanLatencyMicros, wanBandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis, localPaxos, widePaxos, localOverride, wideOverride);
    }

    public SimConfig withSignatureScheme(String scheme) {
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, faults, seed, scheme,
                wanLatencyMicros, wanBandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis, localPaxos, widePaxos, localOverride, wideOverride);
    }

    public SimConfig withWan(long latencyMicros, long bandwidthBitsPerSecond) {
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, faults, seed, signatureScheme,
                latencyMicros, bandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis, localPaxos, widePaxos, localOverride, wideOverride);
    }

    public SimConfig withPaxos(PaxosConfig local, PaxosConfig wide) {
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, faults, seed, signatureScheme,
                wanLatencyMicros, wanBandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis, local, wide, localOverride, wideOverride);
    }

    /** Replaces the cores a tier is built from (tests use this to plant a deliberately broken protocol). */
    public SimConfig withCoreOverrides(CoreFactory local, CoreFactory wide) {
        return new SimConfig(composition, sites, serversPerSite, clientsPerSite, updatesPerClient, faults, seed, signatureScheme,
                wanLatencyMicros, wanBandwidthBitsPerSecond, safetyPhaseMillis, livenessBoundMillis, localPaxos, widePaxos, local, wide);
    }

    public CoreFactory localFactory() {
        return localOverride != null ? localOverride : composition.localFactory(localPaxos);
    }

    public CoreFactory wideFactory() {
        return wideOverride != null ? wideOverride : composition.wideFactory(widePaxos);
    }

    public int totalUpdates() {
        return sites * clientsPerSite * updatesPerClient;
    }

    /** The one command that replays this run. */
    public String replayCommand() {
        return "bin/redoubt sim --composition " + composition.cliName() + " --sites " + sites + " --servers-per-site "
                + serversPerSite + " --faults " + faults.cliName() + " --seed " + seed + " --seeds 1";
    }
}
