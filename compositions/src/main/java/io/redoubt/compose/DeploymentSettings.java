package io.redoubt.compose;

import io.redoubt.bft.PbftConfig;
import io.redoubt.blink.BLinkConfig;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.paxos.PaxosConfig;
import java.util.Locale;

/**
 * The deployment part of a HOCON file (composition, topology, WAN, each protocol's settings,
 * Byzantine sites' signing), read once into a {@link Deployment}. Every key is documented in
 * this module's {@code reference.conf}; a bad value fails here, at start-up.
 */
public final class DeploymentSettings {
    private DeploymentSettings() {}

    public static Deployment read(ConfigReader r) {
        Composition composition = r.get("composition", () -> Composition.parse(r.config().getString("composition")));
        int sites = r.atLeast("topology.sites", 1);
        int serversPerSite = r.atLeast("topology.servers-per-site", 1);
        long latencyMicros = r.duration("wan.latency").toNanos() / 1000;
        long bandwidth = r.bandwidth("wan.bandwidth");
        LmKeyring.Kind lmSigning = r.get("byzantine-sites.signatures", () -> {
            LmKeyring.Kind k = LmKeyring.Kind.parse(r.config().getString("byzantine-sites.signatures"));
            if (k == LmKeyring.Kind.SITE_KEY) throw new IllegalArgumentException("a Byzantine site cannot sign with one site key; valid: threshold, certificate");
            return k;
        });
        int keyBits = r.atLeast("byzantine-sites.threshold-key-bits", ThresholdParameters.MODULUS_BITS_MIN_FOR_TESTS);
        if (keyBits > ThresholdParameters.MODULUS_BITS_MAX || keyBits % 2 != 0) {
            throw r.invalid("byzantine-sites.threshold-key-bits", keyBits, "must be even and at most " + ThresholdParameters.MODULUS_BITS_MAX + ", e.g. 2048");
        }
        try {
            Deployment.checkShape(composition, sites, serversPerSite, "redoubt.topology.sites =", "redoubt.topology.servers-per-site =");
        } catch (IllegalArgumentException e) {
            throw new SettingsException(e.getMessage().startsWith("composition") ? "redoubt." + e.getMessage() : e.getMessage());
        }
        int snapshotInterval = r.atLeast("compaction.snapshot-interval-slots", 0);
        PaxosConfig localPaxos = paxos(r, "local.paxos");
        PbftConfig localPbft = pbft(r, "local.pbft");
        try {
            Deployment.checkCompaction(snapshotInterval, localPaxos.historySlotsMax(), "redoubt.compaction.snapshot-interval-slots =",
                    "redoubt.local.paxos.history-slots-max =");
            Deployment.checkCompaction(snapshotInterval, localPbft.historySlotsMax(), "redoubt.compaction.snapshot-interval-slots =",
                    "redoubt.local.pbft.history-slots-max =");
        } catch (IllegalArgumentException e) {
            throw new SettingsException(e.getMessage());
        }
        try {
            return new Deployment(composition, sites, serversPerSite, latencyMicros, bandwidth, localPaxos, paxos(r, "wide.paxos"),
                    localPbft, pbft(r, "wide.pbft"), lmSigning, keyBits, true, clinkForwardTimeout(r, "clink.forward-timeout"), blink(r),
                    snapshotInterval);
        } catch (IllegalArgumentException e) {
            throw new SettingsException("redoubt.composition / redoubt.topology: " + e.getMessage());
        }
    }

    /**
     * The deployment as servers on real machines run it: {@link #read}, with the protocols' timers
     * at both tiers from {@code redoubt.host} (a real clock, shared cores, real cryptography)
     * instead of the simulator's, whose CPU is instant.
     */
    public static Deployment readForHost(ConfigReader r) {
        Deployment d = read(r);
        PaxosConfig paxos = d.localPaxos().withTimeouts(r.positiveMillis("host.local.paxos.progress-timeout"),
                r.positiveMillis("host.local.paxos.progress-timeout-max"), r.positiveMillis("host.local.paxos.retransmit"));
        PbftConfig pbft = d.localPbft().withTimeouts(r.positiveMillis("host.local.pbft.request-timeout"),
                r.positiveMillis("host.local.pbft.view-change-timeout"), r.positiveMillis("host.local.pbft.retransmit"));
        PaxosConfig widePaxos = d.widePaxos().withTimeouts(r.positiveMillis("host.wide.paxos.progress-timeout"),
                r.positiveMillis("host.wide.paxos.progress-timeout-max"), r.positiveMillis("host.wide.paxos.retransmit"));
        PbftConfig widePbft = d.widePbft().withTimeouts(r.positiveMillis("host.wide.pbft.request-timeout"),
                r.positiveMillis("host.wide.pbft.view-change-timeout"), r.positiveMillis("host.wide.pbft.retransmit"));
        try {
            return d.toBuilder().localPaxos(paxos).localPbft(pbft).widePaxos(widePaxos).widePbft(widePbft)
                    .clinkForwardTimeoutMillis(clinkForwardTimeout(r, "host.clink.forward-timeout")).build();
        } catch (IllegalArgumentException e) {
            throw new SettingsException("redoubt.host: " + e.getMessage());
        }
    }

    /** {@code redoubt.blink}: BLink's settings (section 4.4.1). */
    private static BLinkConfig blink(ConfigReader r) {
        return r.get("blink", () -> new BLinkConfig(r.bool("blink.enabled"), r.positiveMillis("blink.head-timeout"),
                r.positiveMillis("blink.head-timeout-max"), r.positiveMillis("blink.resend"), r.positiveMillis("blink.ack-delay"), r.atLeast("blink.unacked-max", 1),
                r.atLeast("blink.window-max", 1)));
    }

    /** CLink-Opt's fallback timeout from {@code key}, or 0 when {@code redoubt.clink.forward-to-leader-site} is off. */
    private static long clinkForwardTimeout(ConfigReader r, String key) {
        return r.bool("clink.forward-to-leader-site") ? r.positiveMillis(key) : 0;
    }

    /**
     * {@code redoubt.host.crypto-threads}: threads of each server's pool for offloaded
     * cryptography (threshold partials, proofs, proof checks); 0 means every core but one, at least one.
     */
    public static int cryptoThreads(ConfigReader r) {
        int n = r.atLeast("host.crypto-threads", 0);
        return n == 0 ? Math.max(1, Runtime.getRuntime().availableProcessors() - 1) : n;
    }

    private static PbftConfig pbft(ConfigReader r, String path) {
        return r.get(path, () -> new PbftConfig(
                r.atLeast(path + ".window-slots", 1),
                r.atLeast(path + ".checkpoint-interval-slots", 1),
                r.atLeast(path + ".batch-payloads-max", 1),
                r.bytes(path + ".batch-bytes-max"),
                r.bytes(path + ".payload-bytes-max"),
                r.atLeast(path + ".pending-payloads-max", 1),
                r.positiveMillis(path + ".request-timeout"),
                r.positiveMillis(path + ".request-timeout-max"),
                r.positiveMillis(path + ".view-change-timeout"),
                r.positiveMillis(path + ".view-change-timeout-max"),
                r.positiveMillis(path + ".retransmit"),
                r.atLeast(path + ".catch-up-slots-max", 1),
                r.atLeast(path + ".history-slots-max", 1),
                r.atLeast(path + ".in-flight-slots-max", 1),
                r.bool(path + ".forward-to-primary-first"),
                r.duration(path + ".batch-delay").toMillis(),
                r.duration(path + ".load-batch-delay").toMillis(),
                r.positiveMillis(path + ".retransmit-max")));
    }

    private static PaxosConfig paxos(ConfigReader r, String path) {
        return r.get(path, () -> new PaxosConfig(
                r.atLeast(path + ".window-slots", 1),
                r.atLeast(path + ".batch-payloads-max", 1),
                r.bytes(path + ".batch-bytes-max"),
                r.bytes(path + ".payload-bytes-max"),
                r.atLeast(path + ".pending-payloads-max", 1),
                r.positiveMillis(path + ".progress-timeout"),
                r.positiveMillis(path + ".progress-timeout-max"),
                r.positiveMillis(path + ".retransmit"),
                r.atLeast(path + ".catch-up-slots-max", 1),
                r.atLeast(path + ".in-flight-slots-max", 1),
                r.duration(path + ".load-batch-delay").toMillis(),
                r.atLeast(path + ".history-slots-max", r.atLeast(path + ".catch-up-slots-max", 1))));
    }

    /** One line for banners: composition, topology and WAN. */
    public static String describe(Deployment d) {
        return String.format(Locale.ROOT, "%s, %d sites x %d servers, WAN %d ms one-way at %s",
                d.composition().cliName(), d.sites(), d.serversPerSite(), d.wanLatencyMicros() / 1000, ConfigReader.rate(d.wanBandwidthBitsPerSecond()));
    }
}
