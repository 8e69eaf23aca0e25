package io.redoubt.sim;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.LocalProtocol;
import io.redoubt.compose.WideProtocol;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.sim.net.RandomSource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Swarm campaigns ({@code bin/redoubt sim --swarm}): every seed draws its own deployment, faults
 * and adversaries instead of sharing one configuration, so that one campaign covers every
 * composition and size and each seed stresses a different subset of features (swarm testing,
 * Groce et al. 2012). The draw is a pure function of the seed and yields an ordinary
 * {@link SimConfig}, whose replay command names every drawn setting.
 *
 * <p>What a seed draws: the wide-area protocol; 3 to 7 sites (4 to 7 with BFT among sites, so
 * F = 1, or F = 2 with 7); f = 1 or 2 in every site; every site Paxos, every site BFT, or a mix;
 * how a BFT site signs; a non-empty subset of the benign fault kinds and their intensity; and, where
 * the composition admits them, adversaries of a subset of {@link SwarmAdversaries#ROWS}: up to f
 * Byzantine servers in each BFT site, up to F compromised sites with BFT among sites.
 */
public final class Swarm {
    /** Smallest and largest number of sites a seed draws. */
    public static final int SITES_MIN = 3, SITES_MAX = 7;
    /** Compaction drawn for half the seeds: a snapshot every this many local slots, and this many decided slots kept. */
    static final int SWARM_SNAPSHOT_INTERVAL = 16, SWARM_HISTORY = 128, SWARM_WIDE_HISTORY = 16;
    /** Batch delays of BFT sites a swarm seed draws from (local.pbft.batch-delay): none, the default, longer. */
    static final long[] LOCAL_BATCH_DELAYS_MILLIS = {0, 1, 1, 4};

    private Swarm() {}

    /**
     * Seed {@code seed}'s run: {@code base} supplies what the swarm does not draw (signature scheme,
     * threshold key bits, clients per site, phase lengths); {@code updates} is the workload, about,
     * spread over every site's clients.
     */
    public static SimConfig draw(SimConfig base, long seed, int updates) {
        RandomSource r = new RandomSource(seed).fork("swarm");
        // Each part draws from its own fork, so that adding a row to one table leaves the other parts of every seed alone.
        Deployment d = drawWideTunings(drawDeployment(base.deployment(), r.fork("deployment")), r.fork("wide-tunings"));
        // CLink-Opt (section 4.5) on in three seeds of four, off in the rest, so both ways into the wide area stay exercised.
        if (r.fork("clink").chance(0.25)) d = d.toBuilder().clinkForwardTimeoutMillis(0).build();
        // The batch delay of BFT sites (issue 16): none, the default, or longer, so that proposing at
        // once, and holding events across more of the protocol's steps, both stay exercised.
        d = d.toBuilder().localPbft(d.localPbft().withBatchDelayMillis(LOCAL_BATCH_DELAYS_MILLIS[r.fork("local-batch").nextInt(LOCAL_BATCH_DELAYS_MILLIS.length)])).build();
        FaultMix mix = drawFaultMix(r.fork("faults"));
        // Bounded state (issue 18): half the seeds snapshot every 16 local slots and keep 128, so
        // that compaction, restarts from a snapshot and snapshot transfer run in short runs; a
        // third of those also keep a server down until the heal, past what the others keep.
        RandomSource compaction = r.fork("compaction");
        if (compaction.chance(0.5)) {
            d = d.toBuilder().snapshotIntervalSlots(SWARM_SNAPSHOT_INTERVAL).localPaxos(d.localPaxos().withHistorySlotsMax(SWARM_HISTORY))
                    .localPbft(d.localPbft().withHistorySlotsMax(SWARM_HISTORY)).build();
            if (compaction.chance(1.0 / 3)) {
                List<FaultKind> kinds = new ArrayList<>(mix.kinds());
                kinds.add(FaultKind.KEEP_SERVER_DOWN);
                mix = new FaultMix(kinds, mix.intensity());
            }
            // A third of these also cut a site off until the heal and keep 16 wide-area instances:
            // it comes back through another's global state. With PBFT among the sites the window
            // shrinks to that history, with a checkpoint every 8 instances, each certifying the
            // machines' global state.
            if (compaction.chance(1.0 / 3)) {
                List<FaultKind> kinds = new ArrayList<>(mix.kinds());
                kinds.add(FaultKind.CUT_SITE_OFF);
                mix = new FaultMix(kinds, mix.intensity());
                if (d.composition().wide() == WideProtocol.PAXOS) {
                    d = d.toBuilder().widePaxos(d.widePaxos().withCatchUpSlotsMax(SWARM_WIDE_HISTORY / 2).withHistorySlotsMax(SWARM_WIDE_HISTORY)).build();
                } else {
                    d = d.toBuilder().widePbft(d.widePbft().withWindow(SWARM_WIDE_HISTORY, SWARM_WIDE_HISTORY / 2).withHistorySlotsMax(SWARM_WIDE_HISTORY)).build();
                }
            }
        }
        List<SimConfig.PlantedAdversary> adversaries = drawAdversaries(d, r.fork("adversaries"));
        int clients = Math.max(1, base.clientsPerSite());
        int perClient = Math.max(1, (updates + d.sites() * clients - 1) / (d.sites() * clients));
        return base.toBuilder().deployment(d).seed(seed).clientsPerSite(clients).updatesPerClient(perClient).clientSite(-1)
                .faults(adversaries.isEmpty() ? FaultProfile.BENIGN : FaultProfile.BYZANTINE).faultMix(mix)
                .plantedAdversaries(adversaries).build();
    }

    /**
     * How the wide-area protocol aggregates (issue 16): the default of one proposal in flight, or
     * two; and for PBFT among sites, updates sent to the primary's site first (the default) or to
     * every site at once. Both regimes are correct and reach different schedules: with two in
     * flight and updates everywhere, back-to-back view changes commit conflicting values in one
     * slot far more often (PlantedViewChangeBugsTest).
     */
    static Deployment drawWideTunings(Deployment d, RandomSource r) {
        int inFlight = r.chance(0.5) ? 1 : 2;
        boolean primaryFirst = r.chance(0.5);
        return d.toBuilder().widePaxos(d.widePaxos().withInFlightSlotsMax(inFlight))
                .widePbft(d.widePbft().withInFlightSlotsMax(inFlight).withForwardToPrimaryFirst(primaryFirst)).build();
    }

    static Deployment drawDeployment(Deployment base, RandomSource r) {
        WideProtocol wide = r.chance(0.5) ? WideProtocol.BFT : WideProtocol.PAXOS;
        int sites = (int) r.between(wide.byzantine() ? wide.minimumSites() : SITES_MIN, SITES_MAX);
        int f = 1 + r.nextInt(2);
        Composition composition = switch (r.nextInt(3)) {
            case 0 -> Composition.of(wide, LocalProtocol.PAXOS);
            case 1 -> Composition.of(wide, LocalProtocol.BFT);
            default -> {
                LocalProtocol local = r.chance(0.5) ? LocalProtocol.PAXOS : LocalProtocol.BFT;
                LocalProtocol other = local == LocalProtocol.PAXOS ? LocalProtocol.BFT : LocalProtocol.PAXOS;
                // A non-empty proper subset of the sites runs the other protocol.
                int mask = 1 + r.nextInt((1 << sites) - 2);
                TreeMap<Integer, LocalProtocol> bySite = new TreeMap<>();
                for (int s = 0; s < sites; s++) if ((mask & (1 << s)) != 0) bySite.put(s, other);
                yield new Composition(wide, local, bySite);
            }
        };
        LmKeyring.Kind signing = r.chance(0.5) ? LmKeyring.Kind.THRESHOLD : LmKeyring.Kind.CERTIFICATE;
        return base.toBuilder().composition(composition).sites(sites).serversPerSite(composition.local().groupSize(f))
                .byzantineSiteSigning(signing).build();
    }

    static FaultMix drawFaultMix(RandomSource r) {
        List<FaultKind> kinds = new ArrayList<>();
        for (FaultKind k : FaultKind.UNIFORM) if (r.chance(0.5)) kinds.add(k);
        if (kinds.isEmpty()) kinds.add(r.pick(FaultKind.UNIFORM));
        FaultMix.Intensity intensity = r.pick(List.of(FaultMix.Intensity.values()));
        // Drawn last, so that the kinds and intensity of every seed drawn before it existed stay put.
        if (r.chance(0.5)) kinds.add(FaultKind.CRASH_MID_STEP);
        return new FaultMix(kinds, intensity);
    }

    /**
     * Adversaries within the composition's assumptions (section 4.2). Two seeds in five have none;
     * the others enable a random subset of the rows that apply and place up to F compromised sites
     * (BFT among sites only) and up to f Byzantine servers in each other BFT site.
     */
    static List<SimConfig.PlantedAdversary> drawAdversaries(Deployment d, RandomSource r) {
        List<SimConfig.PlantedAdversary> planted = new ArrayList<>();
        boolean admits = d.composition().wide().byzantine() || d.composition().anyByzantineSite();
        if (!admits || r.chance(0.4)) return planted;
        List<SwarmAdversaries.Row> applicable = SwarmAdversaries.ROWS.stream().filter(row -> row.applies().test(d)).toList();
        List<SwarmAdversaries.Row> enabled = new ArrayList<>();
        for (SwarmAdversaries.Row row : applicable) if (r.chance(0.5)) enabled.add(row);
        if (enabled.isEmpty()) enabled.add(r.pick(applicable));
        List<SwarmAdversaries.Row> siteRows = enabled.stream().filter(SwarmAdversaries.Row::wholeSite).toList();
        List<SwarmAdversaries.Row> serverRows = enabled.stream().filter(row -> !row.wholeSite()).toList();

        List<Integer> freeSites = new ArrayList<>();
        for (int s = 0; s < d.sites(); s++) freeSites.add(s);
        if (d.composition().wide().byzantine() && !siteRows.isEmpty()) {
            int compromised = r.nextInt(d.wideFaults() + 1);
            for (int k = 0; k < compromised; k++) {
                SwarmAdversaries.Row row = r.pick(siteRows);
                Integer site = row.atLeader() && freeSites.contains(0) ? 0 : r.pick(freeSites);
                freeSites.remove(site);
                planted.add(new SimConfig.PlantedAdversary(site, -1, row.kind()));
            }
        }
        if (!serverRows.isEmpty()) {
            for (int site : freeSites) {
                SiteId id = new SiteId(site);
                if (!d.localAt(id).byzantine()) continue;
                int count = r.nextInt(d.siteFaults(id) + 1);
                List<Integer> freeServers = new ArrayList<>();
                for (int i = 0; i < d.serversAt(id); i++) freeServers.add(i);
                for (int k = 0; k < count; k++) {
                    // A leader kind needs the view-0 primary's place; once that is taken, only the others fit.
                    List<SwarmAdversaries.Row> fit = serverRows.stream().filter(row -> !row.atLeader() || freeServers.contains(0)).toList();
                    if (fit.isEmpty()) break;
                    SwarmAdversaries.Row row = r.pick(fit);
                    Integer index = row.atLeader() ? 0 : r.pick(freeServers);
                    freeServers.remove(index);
                    planted.add(new SimConfig.PlantedAdversary(site, index, row.kind()));
                }
            }
        }
        return planted;
    }

    /** The composition's family for campaign summaries: {@code wide/local}, with {@code mixed} for sites that differ. */
    public static String family(Composition c) {
        return c.wide().cliName() + "/" + (c.uniform() ? c.local().cliName() : "mixed");
    }

    /** Every family a swarm draws, in summary order. */
    public static List<String> families() {
        List<String> out = new ArrayList<>();
        for (WideProtocol w : WideProtocol.values()) for (String l : List.of("paxos", "bft", "mixed")) out.add(w.cliName() + "/" + l);
        return out;
    }
}
