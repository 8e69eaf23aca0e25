package io.redoubt.bft;

import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.startedCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Rejection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checks a member applies to a view change's prepared certificates before counting the vote
 * (Castro and Liskov, OSDI '99, section 4.4): slots strictly increasing and within the window
 * above the vote's checkpoint, each pre-prepare from a view below the one voted for. Written
 * against the boundary mutants PIT left alive in {@code PbftViewChange.checkViewChange}.
 */
class PbftViewChangeValidationTest {
    private static final PbftConfig CONFIG = cfg(8, 4, 4); // window 8: slots 0..7 above no checkpoint

    private static PreparedCertificate cert(PbftTestCluster c, long view, long seq, String value) {
        List<Bytes> b = batch(value);
        Bytes d = PbftMessage.batchDigest(b);
        int primary = (int) (view % 4);
        PrePrepare pp = c.keys.sign(primary, new PrePrepare(view, seq, d, primary, b, Bytes.EMPTY));
        List<Prepare> prepares = new java.util.ArrayList<>();
        for (int r = 0; r < 4 && prepares.size() < 2; r++) {
            if (r != primary && r != 2) prepares.add(c.keys.sign(r, new Prepare(view, seq, d, r, Bytes.EMPTY)));
        }
        return new PreparedCertificate(pp, List.copyOf(prepares));
    }

    /** Member 2's vote for {@code view}, with {@code certs}, handed to member 3; the rejections it caused. */
    private static List<Rejection> vote(long view, java.util.function.Function<PbftTestCluster, List<PreparedCertificate>> certs) {
        PbftTestCluster c = startedCluster(4, CONFIG);
        ViewChange vc = c.keys.sign(2, new ViewChange(view, -1, List.of(), certs.apply(c), 2, Bytes.EMPTY));
        c.core(3).onMessage(2, vc);
        c.core(3).checkInvariants();
        return c.out(3).rejectionReasons();
    }

    @Test
    void aPreparedSlotAtTheTopOfTheWindowIsValidAndOnePastItIsNot() {
        assertEquals(List.of(), vote(2, c -> List.of(cert(c, 1, 7, "top"))));
        assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), vote(2, c -> List.of(cert(c, 1, 8, "past"))));
    }

    @Test
    void preparedSlotsMustStrictlyIncrease() {
        assertEquals(List.of(), vote(2, c -> List.of(cert(c, 0, 1, "a"), cert(c, 1, 2, "b"))));
        assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), vote(2, c -> List.of(cert(c, 0, 1, "a"), cert(c, 1, 1, "b"))));
    }

    @Test
    void aPrePrepareMustComeFromAViewBelowTheOneVotedFor() {
        assertEquals(List.of(), vote(2, c -> List.of(cert(c, 1, 0, "below"))));
        assertEquals(List.of(Rejection.PROTOCOL_VIOLATION), vote(2, c -> List.of(cert(c, 2, 0, "same view"))));
    }
}
