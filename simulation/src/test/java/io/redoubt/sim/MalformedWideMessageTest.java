package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.ForwardingOutbox;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.paxos.PaxosFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * A logical machine that emits malformed wide-area messages, end to end. The simulator's network
 * is internal, so a message cannot be corrupted in flight through the public API (that path, a
 * bad LM signature at the receiving peer, is covered by ServerNodeBadInputTest in the
 * logical-machine module). What the public API does reach is the sending core: here site 1's
 * wide-area core garbles every third message it sends, before its site signs it. Every receiving
 * logical machine must reject those as MALFORMED, count them, keep going, and stay safe.
 */
@Tag("campaign")
class MalformedWideMessageTest {
    static final SiteId GARBLER = SiteId.of(1);

    /** Wraps the wide-area cores; the one of {@link #GARBLER} appends a byte to every third message. */
    static final class GarblingFactory implements CoreFactory {
        final CoreFactory inner = new PaxosFactory(PaxosConfig.wideAreaDefaults());
        final int every;

        GarblingFactory(int every) {
            this.every = every;
        }

        @Override
        public String protocolName() {
            return "garbling-" + inner.protocolName();
        }

        @Override
        public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
            if (!self.equals(GARBLER)) return inner.create(members, self, out, persisted);
            // A counter in the core's own state: every server of the site garbles the same messages,
            // so the site is still one deterministic logical machine.
            Outbox<N> garbling = new ForwardingOutbox<N>(out) {
                long sent;

                @Override
                public void send(N to, Encodable message) {
                    if (++sent % every != 0) {
                        inner.send(to, message);
                        return;
                    }
                    Bytes encoded = message.encode();
                    inner.send(to, w -> w.raw(encoded.unsafeArray()).u8(0xA5)); // trailing garbage
                }
            };
            return inner.create(members, self, garbling, persisted);
        }
    }

    @Test
    void garbledWideAreaMessagesAreRejectedCountedAndSurvived() {
        List<SimResult> results = Sims.runAll(Sims.seeds(1, 2,
                seed -> Sims.paxos(5, 3, FaultProfile.NONE, seed).withCoreOverrides(null, new GarblingFactory(3))));
        for (SimResult r : results) {
            assertTrue(r.passed(), r::failureReport);
            assertEquals(r.config().totalUpdates(), r.updatesExecutedByEveryServer(), () -> Sims.summary(r));
            assertTrue(r.replicasAgree());
            long malformed = r.rejections().getOrDefault(Rejection.MALFORMED, 0L);
            // A garbled message still carries a valid site signature, so it is ordered at its
            // destination and every server of that site rejects it when it executes: alike, which
            // the logical-machine checker holds them to. Not a multiple of 3 in total, though: the
            // run stops once every update has executed everywhere, and a garbled heartbeat ordered
            // last may have been executed by some servers of its site and not yet by the others.
            assertTrue(malformed >= 3, () -> "rejections: " + r.rejections());
            for (Rejection reason : r.rejections().keySet()) {
                assertTrue(reason == Rejection.MALFORMED || reason == Rejection.STALE_VIEW, () -> "rejections: " + r.rejections());
            }
        }
    }

    @Test
    void theControlRunWithoutGarblingRejectsNothing() {
        SimResult r = Sims.run(Sims.paxos(5, 3, FaultProfile.NONE, 1).withCoreOverrides(null, new GarblingFactory(Integer.MAX_VALUE)));
        assertTrue(r.passed(), r::failureReport);
        assertEquals(Map.of(), r.rejections());
        assertEquals(Sims.run(Sims.paxos(5, 3, FaultProfile.NONE, 1)).traceHash(), r.traceHash(),
                "a wrapper that garbles nothing changes nothing");
    }
}
