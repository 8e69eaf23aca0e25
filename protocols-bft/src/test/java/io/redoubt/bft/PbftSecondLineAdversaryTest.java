package io.redoubt.bft;

import static io.redoubt.bft.PbftTestSupport.batch;
import static io.redoubt.bft.PbftTestSupport.cfg;
import static io.redoubt.bft.PbftTestSupport.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.adversary.CertificateForgerPbft;
import io.redoubt.bft.adversary.DoublePrePreparePbft;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.testkit.RecordingOutbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The adversaries aimed at the checks behind the first line (issue 15), against correct members:
 * each check must refuse what the adversary sends, with a counted rejection, and the correct
 * members must still deliver the same batches.
 */
class PbftSecondLineAdversaryTest {
    static final PbftConfig CONFIG = cfg(16, 8, 8);

    static long rejections(PbftTestCluster c, int member, String detail) {
        return c.out(member).events().stream()
                .filter(e -> e instanceof RecordingOutbox.Rejected<?> r && r.reason() == Rejection.PROTOCOL_VIOLATION && r.detail().contains(detail))
                .count();
    }

    // OSDI '99, section 4.2: a backup accepts a pre-prepare only if it has accepted no other for that view and sequence number.
    @Test
    void aSecondPrePrepareForAPreparedSlotIsRefused() {
        PbftTestCluster c = new PbftTestCluster(4, CONFIG, PbftCore::new, Map.of(0, DoublePrePreparePbft::create)).byzantine(0);
        c.startAll();
        c.submit(1, p("one"));
        c.deliverAll();
        c.submit(2, p("two"));
        c.deliverAll();
        long refused = 0;
        for (int i = 1; i < 4; i++) {
            assertEquals(Map.of(0L, batch("one"), 1L, batch("two")), c.deliveredLog(i), "member " + i);
            refused += rejections(c, i, "a second pre-prepare for slot");
        }
        assertEquals(2, refused, "one second pre-prepare per slot, each refused");
        assertEquals(List.of(), c.violations());
    }

    // OSDI '99, section 4.3: a certificate holds only with a quorum of valid entries from distinct members.
    @Test
    void forgedCommitCertificatesAreRefusedWhetherUnsignedOrRepeated() {
        PbftTestCluster c = new PbftTestCluster(4, CONFIG, PbftCore::new, Map.of(3, CertificateForgerPbft::create)).byzantine(3);
        c.startAll();
        c.submit(1, p("one")); // slot 0: entries under others' names, with signatures the forger cannot make
        c.deliverAll();
        c.submit(2, p("two")); // slot 1: the forger's own commit a quorum of times
        c.deliverAll();
        long refused = 0;
        for (int i = 0; i < 3; i++) {
            assertEquals(Map.of(0L, batch("one"), 1L, batch("two")), c.deliveredLog(i), "member " + i);
            refused += rejections(c, i, "invalid commit certificate for slot");
        }
        assertTrue(refused >= 2, "both forgeries reached a member and were refused: " + refused);
        assertEquals(List.of(), c.violations());
    }
}
