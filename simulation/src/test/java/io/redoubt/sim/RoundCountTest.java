package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Table 4.2 of Lane 2008 for Paxos/Paxos: in the normal case an update of a client at the leader
 * site needs 2 wide-area and 6 local-area rounds. A client elsewhere first has its update
 * forwarded to the leader logical machine, one more wide-area round.
 */
class RoundCountTest {
    static SimConfig faultFree(int sites, long seed) {
        return Sims.paxos(sites, 3, FaultProfile.NONE, seed).withWorkload(1, 10);
    }

    @Test
    void table42RowForPaxosPaxos() {
        assertArrayEquals(new int[] {2, 6, 8}, Sims.PAXOS_PAXOS.table42Rounds());
    }

    @Test
    void aClientAtTheLeaderSiteNeedsTwoWideAndSixLocalRounds() {
        SimResult r = Sims.run(faultFree(5, 1));
        assertTrue(r.passed(), r::failureReport);
        int[] table = Sims.PAXOS_PAXOS.table42Rounds();
        RoundStats.Snapshot leader = r.roundsClientAtLeaderSite();
        assertEquals(10, leader.updates(), "one client at the leader site, ten updates, each counted once: " + leader);
        assertEquals(table[0], leader.wideMin(), leader::toString);
        assertEquals(table[1], leader.localMin(), leader::toString);
        assertTrue(leader.wideMean() >= table[0] && leader.localMean() >= table[1], leader::toString);
    }

    @Test
    void aClientElsewhereNeedsAtLeastOneMoreWideRound() {
        SimResult r = Sims.run(faultFree(5, 1));
        assertTrue(r.passed(), r::failureReport);
        RoundStats.Snapshot leader = r.roundsClientAtLeaderSite();
        RoundStats.Snapshot elsewhere = r.roundsClientElsewhere();
        assertEquals(40, elsewhere.updates(), "four other sites, one client each, ten updates: " + elsewhere);
        assertTrue(elsewhere.wideMin() >= leader.wideMin() + 1, () -> "leader site " + leader + ", elsewhere " + elsewhere);
        assertTrue(elsewhere.wideMean() > leader.wideMean(), () -> "leader site " + leader + ", elsewhere " + elsewhere);
    }

    @Test
    void withThreeSitesAFollowerSiteDecidesOnTheProposalItself() {
        // With three logical machines a follower's own accept and the leader's proposal are a
        // majority, so a client elsewhere needs forward + propose: 2 wide rounds, not 3. The
        // extra forwarding round is paid for by the missing accept round.
        SimResult r = Sims.run(faultFree(3, 1));
        assertTrue(r.passed(), r::failureReport);
        assertEquals(2, r.roundsClientAtLeaderSite().wideMin(), r.roundsClientAtLeaderSite()::toString);
        assertEquals(6, r.roundsClientAtLeaderSite().localMin(), r.roundsClientAtLeaderSite()::toString);
        assertEquals(2, r.roundsClientElsewhere().wideMin(), r.roundsClientElsewhere()::toString);
    }
}
