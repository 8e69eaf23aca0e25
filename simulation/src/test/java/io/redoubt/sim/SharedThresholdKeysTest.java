package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import org.junit.jupiter.api.Test;

/** The simulator deals each (site, parameters) key once per process; sites and parameter sets still get keys of their own. */
class SharedThresholdKeysTest {
    static final ThresholdParameters P = new ThresholdParameters(2, 4, 512);

    @Test
    void oneKeyPerSiteAndParameterSet() {
        ThresholdKeyMaterial a = SharedThresholdKeys.INSTANCE.deal(new SiteId(0), P);
        assertSame(a, SharedThresholdKeys.INSTANCE.deal(new SiteId(0), new ThresholdParameters(2, 4, 512)), "dealt again");
        assertEquals(4, a.shares().size());
        assertNotEquals(a.publicKey().modulus(), SharedThresholdKeys.INSTANCE.deal(new SiteId(1), P).publicKey().modulus(), "two sites, one key");
        ThresholdKeyMaterial other = SharedThresholdKeys.INSTANCE.deal(new SiteId(0), new ThresholdParameters(3, 4, 512));
        assertEquals(3, other.publicKey().threshold());
        assertNotEquals(a.publicKey().modulus(), other.publicKey().modulus());
    }
}
