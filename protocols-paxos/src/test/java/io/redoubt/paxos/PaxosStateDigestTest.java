package io.redoubt.paxos;

import static io.redoubt.paxos.PaxosTestSupport.batch;
import static io.redoubt.paxos.PaxosTestSupport.cfg;
import static io.redoubt.paxos.PaxosTestSupport.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.paxos.PaxosMessage.Accept;
import io.redoubt.paxos.PaxosMessage.Propose;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PaxosCore#stateDigest()} and {@link PaxosCore#checkInvariants()}. At the wide-area tier
 * every correct server of a site feeds its copy of the site's wide-area core the same ordered
 * events, and must then hold the same state (the logical-machine property, Lane 2008, section
 * 4.3): the digest is how a checker compares those copies, so it must be equal for equal inputs
 * and differ when the state does.
 */
class PaxosStateDigestTest {
    private static final List<Integer> FIVE = List.of(0, 1, 2, 3, 4);
    private static final PaxosConfig CONFIG = cfg(4, 2);

    /** Member 1 of five, started: a follower of view 0 (led by member 0), majority 3. */
    private static PaxosCore<Integer> follower() {
        PaxosCore<Integer> c = new PaxosCore<>(CONFIG, FIVE, 1, new RecordingOutbox<>(), List.of());
        c.start();
        return c;
    }

    /** The same inputs for every follower: a decided slot, an open one, a payload of our own. */
    private static final List<Consumer<PaxosCore<Integer>>> INPUTS = List.of(
            c -> c.onMessage(0, new Propose(0, 0, batch("x"), -1)),
            c -> c.onMessage(2, new Accept(0, 0, -1)),
            c -> c.onMessage(0, new Propose(0, 1, batch("y"), 0)),
            c -> c.submit(p("z")),
            c -> c.onMessage(3, new Accept(0, 2, 0)));

    @Test
    void twoCoresGivenTheSameInputsHoldTheSameDigestAfterEach() {
        PaxosCore<Integer> a = follower();
        PaxosCore<Integer> b = follower();
        assertEquals(a.stateDigest(), b.stateDigest());
        for (Consumer<PaxosCore<Integer>> input : INPUTS) {
            Bytes before = a.stateDigest();
            input.accept(a);
            input.accept(b);
            a.checkInvariants();
            b.checkInvariants();
            assertEquals(a.stateDigest(), b.stateDigest());
            assertNotEquals(before, a.stateDigest(), "every input above changes the state");
        }
        assertEquals(0L, a.decidedThrough(), "the inputs decided slot 0 and left slot 1 open");
    }

    @Test
    void theDigestIsStableWithNoInputAndNotChangedByCheckingInvariants() {
        PaxosCore<Integer> a = follower();
        INPUTS.forEach(input -> input.accept(a));
        Bytes first = a.stateDigest();
        a.checkInvariants();
        assertEquals(first, a.stateDigest());
        assertEquals(first, a.stateDigest());
    }

    // The decided prefix enters the digest through a hash chain extended lazily: when the digest
    // is taken must not matter, only the state.
    @Test
    void aDigestTakenOnlyAtTheEndEqualsOneTakenAfterEveryInput() {
        PaxosCore<Integer> often = follower();
        PaxosCore<Integer> once = follower();
        for (Consumer<PaxosCore<Integer>> input : INPUTS) {
            input.accept(often);
            often.stateDigest();
            input.accept(once);
        }
        assertEquals(often.stateDigest(), once.stateDigest());
    }

    @Test
    void oneMoreProposalChangesTheDigest() {
        PaxosCore<Integer> a = follower();
        PaxosCore<Integer> b = follower();
        INPUTS.forEach(input -> input.accept(a));
        INPUTS.forEach(input -> input.accept(b));
        b.onMessage(0, new Propose(0, 3, batch("w"), 0));
        assertNotEquals(a.stateDigest(), b.stateDigest());
    }

    // A vote that decides nothing yet (a second one for slot 2, whose proposal has not arrived) is
    // still state: with the proposal it may decide the slot.
    @Test
    void oneMoreAcceptChangesTheDigest() {
        PaxosCore<Integer> a = follower();
        PaxosCore<Integer> b = follower();
        INPUTS.forEach(input -> input.accept(a));
        INPUTS.forEach(input -> input.accept(b));
        b.onMessage(4, new Accept(0, 2, 0));
        assertEquals(a.decidedThrough(), b.decidedThrough(), "still undecided");
        assertNotEquals(a.stateDigest(), b.stateDigest());
    }

    // The same payload decided in a different order is a different history.
    @Test
    void theDecidedPrefixCountsNotJustItsLength() {
        PaxosCore<Integer> a = follower();
        PaxosCore<Integer> b = follower();
        for (PaxosCore<Integer> c : List.of(a, b)) {
            String first = c == a ? "x" : "y";
            String second = c == a ? "y" : "x";
            c.onMessage(0, new Propose(0, 0, batch(first), -1));
            c.onMessage(0, new Propose(0, 1, batch(second), -1));
            c.onMessage(0, new PaxosMessage.Heartbeat(0, 1)); // the leader decided both
        }
        assertEquals(1L, a.decidedThrough());
        assertEquals(1L, b.decidedThrough());
        assertNotEquals(a.stateDigest(), b.stateDigest());
    }

    // Seeded adversarial schedules (loss, duplication, reordering, crashes, restarts, view changes):
    // run twice, every member ends with the same digest; another seed ends elsewhere.
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3L, 77L, 2008L})
    void identicalSchedulesEndInIdenticalDigestsAtEveryMember(long seed) {
        PaxosTestCluster<Integer> a = PaxosDeterminismAndSafetyTest.runSchedule(seed, 5, 600, CONFIG, false);
        PaxosTestCluster<Integer> b = PaxosDeterminismAndSafetyTest.runSchedule(seed, 5, 600, CONFIG, true);
        PaxosTestCluster<Integer> other = PaxosDeterminismAndSafetyTest.runSchedule(seed + 1, 5, 600, CONFIG, false);
        boolean differs = false;
        for (int i = 0; i < 5; i++) {
            assertEquals(a.core(i).stateDigest(), b.core(i).stateDigest(), "member " + i);
            differs |= !a.core(i).stateDigest().equals(other.core(i).stateDigest());
        }
        assertTrue(differs, "another seed must leave some member in another state");
    }

    // Our own storage is trusted, so a disk no correct core could have written shows up as a broken
    // invariant: a value accepted in view 5 by an acceptor that never promised view 5 (Lamport,
    // Paxos Made Simple, section 2.3: the promise is persisted before the acceptance).
    @Test
    void anAcceptanceBeyondThePersistedPromiseBreaksAnInvariantNamedInTheError() {
        List<Bytes> disk = List.of(new PaxosRecord.Accepted(0, 5, batch("x")).encode());
        PaxosCore<Integer> c = new PaxosCore<>(CONFIG, FIVE, 1, new RecordingOutbox<>(), disk);
        IllegalStateException e = assertThrows(IllegalStateException.class, c::checkInvariants);
        assertTrue(e.getMessage().contains("no slot is accepted in a view beyond our promise"), e.getMessage());
        assertTrue(e.getMessage().contains("accepted in 5"), e.getMessage());

        List<Bytes> promisedFirst = List.of(new PaxosRecord.Promised(5).encode(), disk.get(0));
        PaxosCore<Integer> correct = new PaxosCore<>(CONFIG, FIVE, 1, new RecordingOutbox<>(), promisedFirst);
        correct.checkInvariants();
        correct.start();
        correct.checkInvariants();
    }

    // A restored decided slot above a gap: the prefix through it is not decided.
    @Test
    void aDecidedSlotBeyondAGapIsNotPartOfTheDecidedPrefix() {
        List<Bytes> disk = List.of(new PaxosRecord.Learned(0, batch("x")).encode(), new PaxosRecord.Learned(2, batch("z")).encode());
        PaxosCore<Integer> c = new PaxosCore<>(CONFIG, FIVE, 1, new RecordingOutbox<>(), disk);
        c.start();
        c.checkInvariants();
        assertEquals(0L, c.decidedThrough());
        assertEquals(0L, c.deliveredThrough());
    }
}
