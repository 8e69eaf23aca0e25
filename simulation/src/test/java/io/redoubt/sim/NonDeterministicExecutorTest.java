package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.app.StateMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The logical-machine checker compares what the README promises: each server's executor state
 * (its own tables, the wide-area core's state and the application's state, by digest) after the
 * same number of ordered events (section 4.3), not merely the events it was fed. One server runs
 * an application that applies one update differently; its replies stay the same, so S1 and S2
 * see nothing, and only the state comparison can catch it.
 */
@Tag("campaign")
class NonDeterministicExecutorTest {
    static final ServerId PLANTED = ServerId.of(1, 2);

    /** A key-value store that, at its {@code divergeAt}-th update, also writes a key nobody asked for. */
    static final class DivergingStore implements StateMachine {
        private final KeyValueStore store = new KeyValueStore();
        private final int divergeAt;
        private int applied;

        DivergingStore(int divergeAt) {
            this.divergeAt = divergeAt;
        }

        @Override
        public Bytes apply(Bytes operation) {
            Bytes reply = store.apply(operation);
            if (++applied == divergeAt) store.apply(KeyValueStore.put("planted", "only here"));
            return reply; // the client's reply is unchanged: nothing outside the state shows it
        }

        @Override
        public Bytes query(Bytes read) {
            return store.query(read);
        }

        @Override
        public Bytes snapshot() {
            return store.snapshot();
        }

        @Override
        public void restore(Bytes snapshot) {
            store.restore(snapshot);
        }
    }

    /**
     * A key-value store that gives its {@code wrongAt}-th update a reply no other server gives,
     * with the state right. That client's next reply replaces it in the executor's table, so a
     * digest of the whole state taken after that cannot tell; the execution digest, compared at
     * every step, reports it first.
     */
    static final class WrongReplyStore implements StateMachine {
        private final KeyValueStore store = new KeyValueStore();
        private final int wrongAt;
        private int applied;

        WrongReplyStore(int wrongAt) {
            this.wrongAt = wrongAt;
        }

        @Override
        public Bytes apply(Bytes operation) {
            Bytes reply = store.apply(operation);
            return ++applied == wrongAt ? Bytes.ofUtf8("planted reply") : reply;
        }

        @Override
        public Bytes query(Bytes read) {
            return store.query(read);
        }

        @Override
        public Bytes snapshot() {
            return store.snapshot();
        }

        @Override
        public void restore(Bytes snapshot) {
            store.restore(snapshot);
        }
    }

    static SimConfig config(long seed) {
        return SimConfig.defaults(Composition.parse("paxos/paxos"), 3, 3).withFaults(FaultProfile.NONE).withSeed(seed);
    }

    @Test
    void aServerWhoseApplicationDivergesIsReportedWithItsSeedAndServer() {
        SimResult r = new Simulation(config(7).withPlantedApp(PLANTED, () -> new DivergingStore(5))).run();

        assertFalse(r.passed());
        assertEquals("safety violation", r.stopReason());
        String violation = r.safetyViolations().get(0);
        assertTrue(violation.startsWith("logical machine site1 diverged"), violation);
        assertTrue(violation.contains(PLANTED.toString()), "the report names the server: " + violation);
        String report = r.failureReport();
        assertTrue(report.contains("seed 7 FAILED"), report);
        assertTrue(report.contains("--seed 7 --seeds 1"), report);
        assertTrue(report.contains("a non-deterministic application at " + PLANTED), report);
        assertTrue(r.safetyViolations().stream().noneMatch(v -> v.startsWith("S1") || v.startsWith("S2")),
                "the replies and the order are the same everywhere, so only the state check sees it: " + r.safetyViolations());
    }

    @Test
    void aWrongReplyThatALaterReplyOverwritesIsCaughtByTheExecutionDigest() {
        SimResult r = new Simulation(config(7).withPlantedApp(PLANTED, () -> new WrongReplyStore(5))).run();

        assertFalse(r.passed());
        String violation = r.safetyViolations().get(0);
        assertTrue(violation.startsWith("logical machine site1 diverged"), violation);
        assertTrue(violation.contains("execution digest"), violation);
        assertTrue(violation.contains(PLANTED.toString()), violation);
        assertTrue(r.safetyViolations().stream().noneMatch(v -> v.startsWith("S1") || v.startsWith("S2")), r.safetyViolations()::toString);
    }

    @Test
    void theSameRunWithACorrectApplicationEverywherePasses() {
        SimResult r = new Simulation(config(7)).run();
        assertTrue(r.passed(), r::failureReport);
    }
}
