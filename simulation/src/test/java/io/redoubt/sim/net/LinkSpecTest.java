package io.redoubt.sim.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LinkSpecTest {

    private static void assertRejected(Executable construct, String... fragments) {
        String message = assertThrows(IllegalArgumentException.class, construct).getMessage();
        for (String f : fragments) assertTrue(message.contains(f), () -> "'" + message + "' lacks '" + f + "'");
    }

    @Test
    void validationMessagesNameFieldValueAndRange() {
        assertRejected(() -> new LinkSpec(-1, 0, 0, 0, 0), "latencyMicros", "-1", ">= 0");
        assertRejected(() -> new LinkSpec(0, -2, 0, 0, 0), "jitterMicros", "-2");
        assertRejected(() -> new LinkSpec(0, 0, -3, 0, 0), "bandwidthBitsPerSecond", "-3");
        assertRejected(() -> new LinkSpec(0, 0, 0, 1.0, 0), "lossProbability", "1.0", "[0, 1)");
        assertRejected(() -> new LinkSpec(0, 0, 0, 0, -0.1), "duplicateProbability", "-0.1");
        assertRejected(() -> LinkSpec.lan().withLoss(Double.NaN), "lossProbability", "NaN");
        assertRejected(() -> LinkSpec.lan().withJitter(-5), "jitterMicros", "-5");
    }

    @Test
    void factoriesAndCopies() {
        assertEquals(new LinkSpec(200, 50, 1_000_000_000L, 0, 0), LinkSpec.lan());
        LinkSpec wan = LinkSpec.wan(40_000, 10_000_000);
        assertEquals(new LinkSpec(40_000, 0, 10_000_000, 0, 0), wan);
        assertEquals(new LinkSpec(40_000, 7, 10_000_000, 0.1, 0.2), wan.withLoss(0.1).withDuplicates(0.2).withJitter(7));
    }
}
