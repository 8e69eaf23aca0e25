package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.exec.LmHost;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The signature-provenance checker on its own: what a site's correct servers produced may be accepted, nothing else. */
class SignatureProvenanceCheckerTest {
    static final SiteId SITE1 = new SiteId(1);

    @Test
    void aMessageTheSitesCorrectServersProducedMayBeAcceptedAnywhere() {
        Checkers c = new Checkers();
        c.lmProduced(SITE1, List.of(new LmHost.Outgoing(new SiteId(0), Bytes.ofUtf8("propose 7")), new LmHost.Outgoing(new SiteId(2), Bytes.ofUtf8("propose 7"))));
        c.lmAccepted(ServerId.of(0, 2), SITE1, Bytes.ofUtf8("propose 7"), 1_000);
        c.lmAccepted(ServerId.of(2, 0), SITE1, Bytes.ofUtf8("propose 7"), 2_000);
        assertTrue(c.violations().isEmpty(), c.violations().toString());
    }

    @Test
    void aMessageNoCorrectServerOfTheSiteProducedIsReportedWithReceiverSiteAndMessage() {
        Checkers c = new Checkers();
        c.lmProduced(SITE1, List.of(new LmHost.Outgoing(new SiteId(0), Bytes.ofUtf8("propose 7"))));
        // The same bytes claimed for another site, and other bytes for this one.
        c.lmAccepted(ServerId.of(0, 2), new SiteId(2), Bytes.ofUtf8("propose 7"), 1_000);
        c.lmAccepted(ServerId.of(0, 3), SITE1, Bytes.ofUtf8("propose 8"), 3_000);
        assertEquals(2, c.violations().size(), c.violations().toString());
        String v = c.violations().get(1);
        assertTrue(v.startsWith("signature provenance: 0.3 accepted, as logical machine site1's, a message of 9 bytes"), v);
        assertTrue(v.contains("that no correct server of site1 produced (t=3ms)"), v);
    }
}
