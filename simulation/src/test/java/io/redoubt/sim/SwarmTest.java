package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.LocalProtocol;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.sim.adversary.Adversary;
import io.redoubt.sim.net.RandomSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The swarm draw, without running anything: it covers every composition, size, f and F within a
 * few hundred seeds, never steps outside the composition's assumptions, is a function of the seed
 * alone, and its replay command names every setting it drew.
 */
class SwarmTest {
    static final SimConfig BASE = SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3);
    static final int SEEDS = 2000;

    static List<SimConfig> draws(int seeds) {
        List<SimConfig> out = new ArrayList<>();
        for (long s = 1; s <= seeds; s++) out.add(Swarm.draw(BASE, s, 20));
        return out;
    }

    @Test
    void withinThreeHundredSeedsEveryCompositionSizeFaultKindAndAdversaryIsDrawn() {
        Set<String> cells = new TreeSet<>(), seen = new TreeSet<>();
        for (SimConfig c : draws(300)) {
            Deployment d = c.deployment();
            cells.add(Swarm.family(c.composition()) + " " + d.sites());
            seen.add("f=" + d.siteFaults(new SiteId(0)));
            if (c.composition().wide().byzantine()) seen.add("F=" + d.wideFaults());
            seen.add("signing " + d.byzantineSiteSigning());
            seen.add("intensity " + c.faultMix().intensity());
            c.faultMix().kinds().forEach(k -> seen.add("kind " + k));
            c.plantedAdversaries().forEach(a -> seen.add("adversary " + a.kind()));
        }
        Set<String> expected = new TreeSet<>();
        for (String family : Swarm.families()) {
            for (int n = family.startsWith("bft/") ? 4 : 3; n <= 7; n++) expected.add(family + " " + n);
        }
        assertEquals(expected, cells, "every composition family with every size its wide area admits");
        List<String> also = new ArrayList<>(List.of("f=1", "f=2", "F=1", "F=2", "signing THRESHOLD", "signing CERTIFICATE"));
        for (FaultMix.Intensity i : FaultMix.Intensity.values()) also.add("intensity " + i);
        for (FaultKind k : FaultKind.values()) also.add("kind " + k);
        for (SwarmAdversaries.Row row : SwarmAdversaries.ROWS) also.add("adversary " + row.kind());
        List<String> missing = also.stream().filter(x -> !seen.contains(x)).toList();
        assertEquals(List.of(), missing, "drawn: " + seen);
    }

    @Test
    void everyDrawIsWithinTheCompositionsAssumptions() {
        List<String> outside = new ArrayList<>();
        for (SimConfig c : draws(SEEDS)) {
            String why = outsideAssumptions(c);
            if (why != null) outside.add("seed " + c.seed() + ": " + why + "\n  " + c.replayCommand());
        }
        assertEquals(List.of(), outside);
    }

    /** Why {@code c} is outside what its composition tolerates, or null; checked from first principles, not from Swarm's own code. */
    static String outsideAssumptions(SimConfig c) {
        Deployment d = c.deployment();
        Composition comp = c.composition();
        try {
            Deployment.checkShape(comp, d.sites(), d.serversPerSite(), "--sites", "--servers-per-site");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (d.sites() < 3 || d.sites() > 7) return d.sites() + " sites";
        int f = (d.serversPerSite() - 1) / (comp.local() == LocalProtocol.BFT ? 3 : 2);
        if (f < 1 || f > 2) return "f = " + f;
        for (SiteId s : d.siteIds()) {
            int n = d.serversAt(s);
            int expected = d.localAt(s) == LocalProtocol.BFT ? 3 * f + 1 : d.localAt(s) == LocalProtocol.PAXOS ? 2 * f + 1 : -1;
            if (n != expected) return "site " + s.value() + " (" + d.localAt(s).cliName() + ", f = " + f + ") has " + n + " servers";
        }
        int bigF = comp.wide().byzantine() ? (d.sites() - 1) / 3 : 0;
        if (comp.wide().byzantine() && (bigF < 1 || bigF > 2)) return "F = " + bigF + " with " + d.sites() + " sites";
        Map<Integer, Integer> perSite = new TreeMap<>();
        Set<Integer> compromised = new TreeSet<>();
        Set<String> places = new TreeSet<>();
        for (SimConfig.PlantedAdversary a : c.plantedAdversaries()) {
            if (!places.add(a.site() + "." + a.server())) return a + " placed twice";
            if (a.kind().wholeSite()) {
                if (!comp.wide().byzantine()) return a + " with " + comp.wide().cliName() + " among sites";
                compromised.add(a.site());
            } else {
                if (d.localAt(new SiteId(a.site())) != LocalProtocol.BFT) return a + " in a " + d.localAt(new SiteId(a.site())).cliName() + " site";
                if (a.server() < 0 || a.server() >= d.serversAt(new SiteId(a.site()))) return a + " outside the site";
                if (a.kind().leader && a.server() != 0) return a + ": a leader kind away from the view-0 primary";
                perSite.merge(a.site(), 1, Integer::sum);
            }
        }
        if (compromised.size() > bigF) return compromised.size() + " compromised sites, F = " + bigF;
        for (Map.Entry<Integer, Integer> e : perSite.entrySet()) {
            if (e.getValue() > f) return e.getValue() + " Byzantine servers in site " + e.getKey() + ", f = " + f;
            if (compromised.contains(e.getKey())) return "site " + e.getKey() + " is compromised and also has Byzantine servers";
        }
        if (c.plantedAdversaries().isEmpty() != (c.faults() == FaultProfile.BENIGN)) return "faults " + c.faults() + " with " + c.plantedAdversaries();
        return null;
    }

    @Test
    void theDrawIsAFunctionOfTheSeedAlone() {
        for (long s = 1; s <= 50; s++) {
            SimConfig a = Swarm.draw(BASE, s, 20);
            SimConfig b = Swarm.draw(BASE.withSeed(999), s, 20);
            assertEquals(a, b, "seed " + s);
            assertEquals(a.replayCommand(), b.replayCommand());
            assertEquals(s, a.seed());
        }
        assertTrue(draws(50).stream().map(SimConfig::replayCommand).distinct().count() == 50, "different seeds, different runs");
    }

    @Test
    void theReplayCommandNamesEverySettingTheSwarmDrew() {
        for (SimConfig c : draws(300)) {
            Map<String, List<String>> flags = flags(c.replayCommand());
            String cmd = c.replayCommand();
            assertEquals(c.composition(), Composition.parse(one(flags, "--composition")), cmd);
            assertEquals(c.sites(), Integer.parseInt(one(flags, "--sites")), cmd);
            assertEquals(c.deployment().serversPerSite(), Integer.parseInt(one(flags, "--servers-per-site")), cmd);
            assertEquals(c.faults(), FaultProfile.parse(one(flags, "--faults")), cmd);
            assertEquals(c.faultMix(), FaultMix.parse(one(flags, "--fault-kinds"), one(flags, "--fault-intensity")), cmd);
            assertEquals(c.clientsPerSite(), Integer.parseInt(one(flags, "--clients-per-site")), cmd);
            assertEquals(c.updatesPerClient(), Integer.parseInt(one(flags, "--updates-per-client")), cmd);
            assertEquals(c.seed(), Long.parseLong(one(flags, "--seed")), cmd);
            assertEquals(c.plantedAdversaries(), flags.getOrDefault("--adversary", List.of()).stream().map(SimConfig.PlantedAdversary::parse).toList(), cmd);
            if (c.composition().anyByzantineSite()) {
                assertEquals(c.deployment().byzantineSiteSigning(), LmKeyring.Kind.parse(one(flags, "--lm-signatures")), cmd);
            }
            // The wide-area aggregation settings: named when they differ from the defaults.
            boolean widePbft = c.composition().wide().byzantine();
            int inFlight = widePbft ? c.deployment().widePbft().inFlightSlotsMax() : c.deployment().widePaxos().inFlightSlotsMax();
            assertEquals(inFlight, flags.containsKey("--wide-in-flight") ? Integer.parseInt(one(flags, "--wide-in-flight")) : 1, cmd);
            if (widePbft) {
                assertEquals(c.deployment().widePbft().forwardToPrimaryFirst(),
                        !flags.containsKey("--wide-forward") || one(flags, "--wide-forward").equals("primary-first"), cmd);
            } else {
                assertTrue(!flags.containsKey("--wide-forward"), cmd);
            }
            // Compaction, and the wide-area history (with PBFT's window and checkpoints that follow it).
            SimConfig fresh = SimConfig.defaults(c.composition(), c.sites(), c.deployment().serversPerSite());
            if (flags.containsKey("--compaction")) {
                int[] v = java.util.Arrays.stream(one(flags, "--compaction").split("/")).mapToInt(Integer::parseInt).toArray();
                fresh = v.length > 2 ? fresh.withCompaction(v[0], v[1], v[2]) : fresh.withCompaction(v[0], v[1]);
            }
            assertEquals(c.deployment().snapshotIntervalSlots(), fresh.deployment().snapshotIntervalSlots(), cmd);
            if (widePbft) {
                io.redoubt.bft.PbftConfig drawn = c.deployment().widePbft(), replayed = fresh.deployment().widePbft();
                assertEquals(drawn.historySlotsMax(), replayed.historySlotsMax(), cmd);
                assertEquals(drawn.windowSlots(), replayed.windowSlots(), cmd);
                assertEquals(drawn.checkpointIntervalSlots(), replayed.checkpointIntervalSlots(), cmd);
            } else {
                assertEquals(c.deployment().widePaxos().historySlotsMax(), fresh.deployment().widePaxos().historySlotsMax(), cmd);
            }
        }
    }

    @Test
    void bothWideAreaAggregationRegimesAreDrawn() {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (SimConfig c : draws(300)) {
            if (!c.composition().wide().byzantine()) continue;
            seen.add(c.deployment().widePbft().inFlightSlotsMax() + "/" + c.deployment().widePbft().forwardToPrimaryFirst());
        }
        assertEquals(java.util.Set.of("1/true", "1/false", "2/true", "2/false"), seen);
    }

    // CLink-Opt is drawn on and off, and a seed drawn off replays off.
    @Test
    void bothWaysIntoTheWideAreaAreDrawnAndReplayed() {
        int on = 0, off = 0;
        for (SimConfig c : draws(200)) {
            boolean named = c.replayCommand().contains(" --clink-opt off");
            assertEquals(!c.deployment().clinkOpt(), named, c.replayCommand());
            if (c.deployment().clinkOpt()) on++;
            else off++;
        }
        assertTrue(on > off && off > 20, "on " + on + ", off " + off);
    }

    // Issue 16: BFT sites' batch delay is drawn (none, the default, longer) and named where it differs from the default.
    @Test
    void localBatchDelaysAreDrawnAndReplayed() {
        Map<Long, Integer> seen = new TreeMap<>();
        for (SimConfig c : draws(200)) {
            long delay = c.deployment().localPbft().batchDelayMillis();
            seen.merge(delay, 1, Integer::sum);
            boolean named = c.replayCommand().contains(" --local-batch-delay " + delay + "ms");
            assertEquals(delay != io.redoubt.bft.PbftConfig.localDefaults().batchDelayMillis(), named, c.replayCommand());
        }
        assertEquals(Set.of(0L, 1L, 4L), seen.keySet(), seen::toString);
        assertTrue(seen.values().stream().allMatch(n -> n > 20), seen::toString);
    }

    private static Map<String, List<String>> flags(String replay) {
        String[] t = replay.strip().split(" +");
        Map<String, List<String>> out = new TreeMap<>();
        for (int i = 2; i < t.length; i += 2) out.computeIfAbsent(t[i], k -> new ArrayList<>()).add(t[i + 1]);
        return out;
    }

    private static String one(Map<String, List<String>> flags, String flag) {
        List<String> v = flags.get(flag);
        assertTrue(v != null && v.size() == 1, flag + " named once: " + flags);
        return v.get(0);
    }

    @Test
    void faultIntensityBoundsTheEventsAndOnlyEnabledKindsAreDrawn() {
        Deployment d = BASE.deployment();
        FaultMix two = new FaultMix(List.of(FaultKind.SPLIT_SITES, FaultKind.CRASH_SERVER), FaultMix.Intensity.FEW);
        assertEquals(List.of(FaultKind.CRASH_SERVER, FaultKind.SPLIT_SITES), two.kinds(), "one order, however written");
        assertEquals(two, FaultMix.parse(two.kindsCliValue(), "few"));
        Map<FaultMix.Intensity, int[]> range = Map.of(FaultMix.Intensity.FEW, new int[] {1, 2}, FaultMix.Intensity.SOME, new int[] {1, 5},
                FaultMix.Intensity.MANY, new int[] {6, 15});
        for (FaultMix.Intensity i : FaultMix.Intensity.values()) {
            int min = Integer.MAX_VALUE, max = 0;
            for (long s = 1; s <= 200; s++) {
                FaultPlan p = FaultPlan.draw(new RandomSource(s), d, 6_000_000, new FaultMix(two.kinds(), i));
                min = Math.min(min, p.events().size());
                max = Math.max(max, p.events().size());
                for (FaultPlan.Event e : p.events()) assertTrue(two.kinds().contains(e.kind()), e.toString());
            }
            assertEquals(range.get(i)[0], min, i + " fewest events");
            assertEquals(range.get(i)[1], max, i + " most events");
        }
    }

    @Test
    void theDefaultMixDrawsWhatRunsDrewBeforeMixesExisted() {
        // Recorded seeds must keep their meaning: the default mix is the former draw, stream for stream.
        Deployment d = Deployment.defaults(Composition.parse("paxos/paxos"), 5, 3);
        for (long s = 1; s <= 50; s++) {
            RandomSource r = new RandomSource(s);
            List<Double> links = List.of(r.pick(List.of(0.0, 0.005, 0.02, 0.05)), r.pick(List.of(0.0, 0.01, 0.03)));
            r.pick(List.of(0L, 2_000L, 10_000L));
            r.pick(List.of(0L, 100L));
            int count = 1 + r.nextInt(5);
            FaultPlan p = FaultPlan.draw(new RandomSource(s), d, 6_000_000);
            assertEquals(links, List.of(p.links().lossProbability(), p.links().duplicateProbability()), "seed " + s);
            // Mid-step crashes came later, on top and from their own stream: the others are as they were.
            assertEquals(count, p.events().stream().filter(e -> e.kind() != FaultKind.CRASH_MID_STEP).count(), "seed " + s);
            long at = r.between(50_000, 6_000_000 - 100_000);
            r.between(100_000, 2_500_000);
            FaultKind kind = FaultKind.UNIFORM.get(r.nextInt(FaultKind.UNIFORM.size()));
            assertEquals(at, p.events().get(0).atMicros());
            assertEquals(kind, p.events().get(0).kind());
        }
    }

    @Test
    void midStepCrashesAreDrawnAtAModestRateOrAloneWhenTheMixNamesOnlyThem() {
        Deployment d = Deployment.defaults(Composition.parse("paxos/paxos"), 5, 3);
        int midStep = 0, others = 0;
        for (long s = 1; s <= 200; s++) {
            for (FaultPlan.Event e : FaultPlan.draw(new RandomSource(s), d, 6_000_000).events()) {
                if (e.kind() == FaultKind.CRASH_MID_STEP) midStep++;
                else others++;
            }
        }
        assertTrue(midStep > 100 && midStep < others, midStep + " mid-step crashes, " + others + " other events in 200 default draws");
        FaultMix alone = FaultMix.parse("crash-mid-step", "many");
        for (long s = 1; s <= 50; s++) {
            List<FaultPlan.Event> events = FaultPlan.draw(new RandomSource(s), d, 6_000_000, alone).events();
            assertTrue(events.size() >= 6 && events.size() <= 15, events.toString());
            for (FaultPlan.Event e : events) assertEquals(FaultKind.CRASH_MID_STEP, e.kind());
        }
    }

    @Test
    void aRowThatSitsAtTheLeaderIsALeaderKind() {
        for (SwarmAdversaries.Row row : SwarmAdversaries.ROWS) {
            if (!row.wholeSite()) assertEquals(row.kind().leader, row.atLeader(), row.kind().cliName());
        }
        Set<Adversary> rows = new TreeSet<>();
        SwarmAdversaries.ROWS.forEach(r -> assertTrue(rows.add(r.kind()), r.kind() + " has one row"));
    }
}
