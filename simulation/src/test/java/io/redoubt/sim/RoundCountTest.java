package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Rounds per update against Lane 2008, Table 4.2 (Paxos/Paxos: 2 wide-area, 6 local-area). The
 * count is the chain of hops that led to an update's execution at its client's server; it is the
 * critical path when nothing else is in flight, so every run here has a single client at one
 * site, fault-free, pausing two seconds between updates so that no earlier timer chain mixes in.
 */
@Tag("campaign")
class RoundCountTest {
    private static RoundStats.Snapshot measure(int sites, int clientSite, long seed) {
        return measure(sites, clientSite, seed, true);
    }

    private static RoundStats.Snapshot measure(int sites, int clientSite, long seed, boolean clinkOpt) {
        SimConfig c = Sims.paxos(sites, 3, FaultProfile.NONE, seed).withWorkload(1, 8).toBuilder()
                .clientSite(clientSite).clientThinkMillis(2_000).clinkForwardTimeoutMillis(clinkOpt ? 1_000 : 0).build();
        SimResult r = Sims.run(c);
        assertTrue(r.passed(), r::failureReport);
        return clientSite == 0 ? r.roundsClientAtLeaderSite() : r.roundsClientElsewhere();
    }

    private static void assertExactly(int wide, int local, RoundStats.Snapshot s) {
        assertEquals(8, s.updates(), () -> "one client, eight updates, each counted once: " + s);
        assertEquals(wide, s.wideMin(), s::toString);
        assertEquals(wide, s.wideMax(), s::toString);
        assertEquals(local, s.localMin(), s::toString);
        assertEquals(local, s.localMax(), s::toString);
    }

    @Test
    void table42RowForPaxosPaxos() {
        assertArrayEquals(new int[] {2, 6, 8}, Sims.PAXOS_PAXOS.table42Rounds());
    }

    // Lane 2008, Table 4.2 and section 4.3: order the update at the leader LM (2 local), propose
    // (1 wide), order the proposal at each LM (2 local), accept (1 wide), order the accepts (2 local).
    @ParameterizedTest(name = "{0} sites, seed {1}")
    @CsvSource({"3, 1", "5, 1", "5, 2", "5, 3", "7, 1"})
    void aClientAtTheLeaderSiteTakesExactlyTheTable42Rounds(int sites, long seed) {
        assertExactly(2, 6, measure(sites, 0, seed));
    }

    // A client elsewhere, with CLink-Opt (section 4.5, on by default): a server of its site sends
    // the update to a server of the leader site unordered (1 wide) before the table's path begins.
    @ParameterizedTest(name = "{0} sites, seed {1}")
    @CsvSource({"5, 1", "5, 2", "7, 1"})
    void aClientElsewhereAddsOneWideRoundToTheLeaderSite(int sites, long seed) {
        assertExactly(3, 6, measure(sites, 1, seed));
    }

    // Without CLink-Opt its own LM orders the update (2 local) and forwards it to the leader LM
    // (1 wide) before the table's path begins.
    @ParameterizedTest(name = "{0} sites, seed {1}")
    @CsvSource({"5, 1", "7, 1"})
    void withoutClinkOptAClientElsewhereAlsoHasItsOwnSiteOrderTheUpdate(int sites, long seed) {
        assertExactly(3, 8, measure(sites, 1, seed, false));
    }

    // With 2F+1 = 3 sites a majority is 2: the leader's proposal and a follower's own accept
    // decide, so a follower site executes once it orders the proposal, one wide round sooner:
    // the update sent on (1 wide), ordered at the leader LM (2 local), proposal (1 wide), ordered
    // at the follower (2 local).
    @Test
    void withThreeSitesAFollowerSiteDecidesOnTheProposalItself() {
        assertExactly(2, 4, measure(3, 1, 1));
    }
}
