package io.redoubt.compose;

import io.redoubt.lm.core.Quorums;
import io.redoubt.bft.PbftConfig;
import io.redoubt.blink.BLinkConfig;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.paxos.PaxosConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What a deployment is, independent of whether the simulator or a real host runs it: the
 * composition, the sites and their servers, the wide-area links between sites, each protocol's
 * settings, and how Byzantine sites sign as logical machines. {@link ServerAssembly} builds every
 * server from it.
 *
 * @param serversPerSite servers of each site that runs the composition's default local
 *     protocol; a site with another protocol (a per-site exception) gets as many as its protocol
 *     needs for the same f (at least 1): 3f+1 for BFT, 2f+1 for Paxos, one for solo
 * @param wanLatencyMicros one-way latency between two sites
 * @param wanBandwidthBitsPerSecond the bandwidth of each site's link to each other site
 * @param byzantineSiteSigning how a BFT site signs as a logical machine: threshold RSA or
 *     certificates of f+1 signatures (section 4.3)
 * @param thresholdKeyBits threshold-RSA modulus size; under 2048 bits only for simulations
 * @param amortized whether batching and Merkle-tree signing are on (section 4.6); off, every
 *     ordering instance carries one event and every message is signed alone, as Table 4.3 counts
 * @param blink BLink's settings (section 4.4.1); off, the stand-in link carries wide-area messages
 * @param clinkForwardTimeoutMillis CLink-Opt (section 4.5): a server of a site that does not lead
 *     the wide area sends a new client update straight to a server of the leader site, unordered
 *     and unsigned by its own logical machine, and orders it the usual way only if it has not
 *     executed after this long; 0 turns CLink-Opt off (every update is ordered where it arrives)
 * @param snapshotIntervalSlots log compaction (issue 18): a server snapshots its logical machine
 *     and compacts its stable storage after every this many slots of its site's local order; 0 never
 */
public record Deployment(
        Composition composition,
        int sites,
        int serversPerSite,
        long wanLatencyMicros,
        long wanBandwidthBitsPerSecond,
        PaxosConfig localPaxos,
        PaxosConfig widePaxos,
        PbftConfig localPbft,
        PbftConfig widePbft,
        LmKeyring.Kind byzantineSiteSigning,
        int thresholdKeyBits,
        boolean amortized,
        long clinkForwardTimeoutMillis,
        BLinkConfig blink,
        int snapshotIntervalSlots) {

    /** CLink-Opt's fallback in the simulator: a wide-area progress timeout, under the clients' 2 s retransmission. */
    public static final long SIMULATION_CLINK_FORWARD_TIMEOUT_MILLIS = 1_000;

    /** Threshold-RSA modulus in simulated campaigns: small, so that a seed deals keys in milliseconds; sound only inside the simulator. */
    public static final int SIMULATION_THRESHOLD_KEY_BITS = 512;

    public Deployment {
        if (sites < 1) throw new IllegalArgumentException("--sites must be >= 1, was " + sites);
        if (serversPerSite < 1) throw new IllegalArgumentException("--servers-per-site must be >= 1, was " + serversPerSite);
        if (byzantineSiteSigning == LmKeyring.Kind.SITE_KEY) {
            throw new IllegalArgumentException("a Byzantine site cannot sign with one site key; valid: threshold, certificate");
        }
        if (blink == null) throw new IllegalArgumentException("blink settings are required (BLinkConfig.off() for the stand-in link)");
        if (clinkForwardTimeoutMillis < 0) throw new IllegalArgumentException("clinkForwardTimeoutMillis must be >= 0 (0 = off), was " + clinkForwardTimeoutMillis);
        checkShape(composition, sites, serversPerSite, "--sites", "--servers-per-site");
        checkCompaction(snapshotIntervalSlots, localPaxos.historySlotsMax(), "snapshotIntervalSlots", "localPaxos.historySlotsMax");
        checkCompaction(snapshotIntervalSlots, localPbft.historySlotsMax(), "snapshotIntervalSlots", "localPbft.historySlotsMax");
    }

    /**
     * A server that needs a snapshot installs one taken after at most an interval ago and then
     * catches up past it from a peer's history, so the history must reach back at least two
     * intervals (one would leave a server that installs the latest snapshot just short of it).
     */
    public static void checkCompaction(int snapshotIntervalSlots, int localHistorySlots, String intervalSetting, String historySetting) {
        if (snapshotIntervalSlots < 0) throw new IllegalArgumentException(intervalSetting + " must be >= 0 (0 = never), was " + snapshotIntervalSlots);
        if (snapshotIntervalSlots > 0 && localHistorySlots < 2L * snapshotIntervalSlots) {
            throw new IllegalArgumentException(historySetting + " " + localHistorySlots + " must be at least twice " + intervalSetting + " "
                    + snapshotIntervalSlots + ": raise the history to " + 2L * snapshotIntervalSlots + " or lower the interval");
        }
    }

    /** Whether CLink-Opt forwards new client updates to the leader site unordered (section 4.5). */
    public boolean clinkOpt() {
        return clinkForwardTimeoutMillis > 0;
    }

    /**
     * Rejects sites too few for the wide-area protocol's F or too small for the local protocol's f;
     * {@code sitesSetting} and {@code serversSetting} name where each number came from (an option,
     * or a key followed by " =").
     */
    public static void checkShape(Composition composition, int sites, int serversPerSite, String sitesSetting, String serversSetting) {
        for (int s : composition.localBySite().keySet()) {
            if (s >= sites) throw new IllegalArgumentException("composition " + composition + " names site " + s + " but there are " + sites + " sites (0.." + (sites - 1) + ")");
        }
        composition.local().checkSize(serversPerSite, serversSetting);
        if (composition.wide().byzantine() && sites < composition.wide().minimumSites()) {
            throw new IllegalArgumentException(sitesSetting + " " + sites + " is too few for " + composition
                    + ": BFT among sites needs 3F+1 sites with F >= 1, so at least " + composition.wide().minimumSites());
        }
    }

    /** The dissertation's WAN (section 4.7; 25 ms one-way, 10 Mbit/s) and each protocol's defaults. */
    public static Deployment defaults(Composition composition, int sites, int serversPerSite) {
        return new Deployment(composition, sites, serversPerSite, 25_000, 10_000_000, PaxosConfig.localDefaults(),
                PaxosConfig.wideAreaDefaults(), PbftConfig.localDefaults(), PbftConfig.wideAreaDefaults(), LmKeyring.Kind.THRESHOLD,
                SIMULATION_THRESHOLD_KEY_BITS, true, SIMULATION_CLINK_FORWARD_TIMEOUT_MILLIS, BLinkConfig.defaults(),
                io.redoubt.lm.server.ServerConfig.SNAPSHOT_INTERVAL_DEFAULT);
    }

    public List<SiteId> siteIds() {
        List<SiteId> out = new ArrayList<>(sites);
        for (int s = 0; s < sites; s++) out.add(new SiteId(s));
        return out;
    }

    /** Every server, site by site. */
    public List<ServerId> servers() {
        List<ServerId> out = new ArrayList<>();
        for (SiteId s : siteIds()) for (int i = 0; i < serversAt(s); i++) out.add(new ServerId(s, i));
        return out;
    }

    public LocalProtocol localAt(SiteId site) {
        return composition.localAt(site);
    }

    /** The servers of {@code site}: see {@link #serversPerSite()}. */
    public int serversAt(SiteId site) {
        LocalProtocol p = localAt(site);
        if (p == composition.local()) return serversPerSite;
        return p.groupSize(Math.max(1, composition.local().faultsTolerated(serversPerSite)));
    }

    /** f of {@code site}: the faulty servers it tolerates. */
    public int siteFaults(SiteId site) {
        return localAt(site).faultsTolerated(serversAt(site));
    }

    /** F: the faulty sites the wide area tolerates. */
    public int wideFaults() {
        return composition.wide().faultsTolerated(sites);
    }

    /** How {@code site} signs as a logical machine: one site key (benign) or f+1 shares (Byzantine), section 4.3. */
    public LmKeyring.SiteSpec siteSpec(SiteId site) {
        LmKeyring.Kind kind = localAt(site).byzantine() ? byzantineSiteSigning : LmKeyring.Kind.SITE_KEY;
        return new LmKeyring.SiteSpec(serversAt(site), siteFaults(site), kind);
    }

    /** Matching replies a client of {@code site} waits for: f+1 in a Byzantine site, so one is from a correct server (section 4.2). */
    public int repliesNeeded(SiteId site) {
        return localAt(site).byzantine() ? Quorums.oneCorrect(siteFaults(site)) : 1;
    }

    /** Whether threshold keys are below the 2048-bit minimum (allowed only in simulations). */
    public boolean insecureThresholdKeys() {
        return thresholdKeyBits < ThresholdParameters.MODULUS_BITS_MIN;
    }

    // With amortization off (Table 4.3 was measured without the section 4.6 optimizations), every
    // ordering instance carries one event.

    /**
     * Decided slots a Paxos core keeps where nothing could bring a member past the ones dropped:
     * no snapshots (compaction off) locally, no global state transfer (the stand-in link) among
     * sites. Everything, as before log compaction.
     */
    static final int HISTORY_UNBOUNDED = 1 << 30;

    public PaxosConfig effectiveLocalPaxos() {
        PaxosConfig c = amortized ? localPaxos : localPaxos.withBatchPayloadsMax(1);
        return snapshotIntervalSlots == 0 ? c.withHistorySlotsMax(HISTORY_UNBOUNDED) : c;
    }

    public PaxosConfig effectiveWidePaxos() {
        PaxosConfig c = amortized ? widePaxos : widePaxos.withBatchPayloadsMax(1);
        return blink.enabled() ? c : c.withHistorySlotsMax(HISTORY_UNBOUNDED);
    }

    public PbftConfig effectiveLocalPbft() {
        return amortized ? localPbft : localPbft.withBatchPayloadsMax(1);
    }

    public PbftConfig effectiveWidePbft() {
        return amortized ? widePbft : widePbft.withBatchPayloadsMax(1);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A mutable copy, so each change is one call. */
    public static final class Builder {
        private Composition composition;
        private int sites, serversPerSite;
        private long wanLatencyMicros, wanBandwidthBitsPerSecond;
        private PaxosConfig localPaxos, widePaxos;
        private PbftConfig localPbft, widePbft;
        private LmKeyring.Kind byzantineSiteSigning;
        private int thresholdKeyBits;
        private boolean amortized;
        private long clinkForwardTimeoutMillis;
        private BLinkConfig blink;
        private int snapshotIntervalSlots;

        private Builder(Deployment d) {
            composition = d.composition;
            sites = d.sites;
            serversPerSite = d.serversPerSite;
            wanLatencyMicros = d.wanLatencyMicros;
            wanBandwidthBitsPerSecond = d.wanBandwidthBitsPerSecond;
            localPaxos = d.localPaxos;
            widePaxos = d.widePaxos;
            localPbft = d.localPbft;
            widePbft = d.widePbft;
            byzantineSiteSigning = d.byzantineSiteSigning;
            thresholdKeyBits = d.thresholdKeyBits;
            amortized = d.amortized;
            clinkForwardTimeoutMillis = d.clinkForwardTimeoutMillis;
            blink = d.blink;
            snapshotIntervalSlots = d.snapshotIntervalSlots;
        }

        public Builder composition(Composition v) { composition = v; return this; }
        public Builder sites(int v) { sites = v; return this; }
        public Builder serversPerSite(int v) { serversPerSite = v; return this; }
        public Builder wanLatencyMicros(long v) { wanLatencyMicros = v; return this; }
        public Builder wanBandwidthBitsPerSecond(long v) { wanBandwidthBitsPerSecond = v; return this; }
        public Builder localPaxos(PaxosConfig v) { localPaxos = v; return this; }
        public Builder widePaxos(PaxosConfig v) { widePaxos = v; return this; }
        public Builder localPbft(PbftConfig v) { localPbft = v; return this; }
        public Builder widePbft(PbftConfig v) { widePbft = v; return this; }
        public Builder byzantineSiteSigning(LmKeyring.Kind v) { byzantineSiteSigning = v; return this; }
        public Builder thresholdKeyBits(int v) { thresholdKeyBits = v; return this; }
        public Builder amortized(boolean v) { amortized = v; return this; }
        public Builder clinkForwardTimeoutMillis(long v) { clinkForwardTimeoutMillis = v; return this; }
        public Builder blink(BLinkConfig v) { blink = v; return this; }
        public Builder snapshotIntervalSlots(int v) { snapshotIntervalSlots = v; return this; }

        public Deployment build() {
            return new Deployment(composition, sites, serversPerSite, wanLatencyMicros, wanBandwidthBitsPerSecond, localPaxos, widePaxos,
                    localPbft, widePbft, byzantineSiteSigning, thresholdKeyBits, amortized, clinkForwardTimeoutMillis, blink,
                    snapshotIntervalSlots);
        }
    }
}
