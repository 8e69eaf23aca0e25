package io.redoubt.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Settings are validated when read, and the error names the setting (STYLE.md, "Configuration"). */
class PbftConfigTest {

    @Test
    void defaultsAreValid() {
        PbftConfig.localDefaults();
        PbftConfig.wideAreaDefaults();
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PbftConfig(0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
        assertTrue(e.getMessage().contains("windowSlots"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PbftConfig(4, 8, 1, 100, 10, 1, 1, 1, 1, 1, 1, 8, 8, 1));
        assertTrue(e.getMessage().contains("windowSlots") && e.getMessage().contains("checkpointIntervalSlots"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PbftConfig(8, 4, 1, 100, 10, 1, 10, 5, 1, 1, 1, 8, 8, 1));
        assertTrue(e.getMessage().contains("requestTimeoutMaxMillis"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PbftConfig(8, 4, 1, 100, 200, 1, 1, 1, 1, 1, 1, 8, 8, 1));
        assertTrue(e.getMessage().contains("payloadBytesMax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PbftConfig(8, 4, 1, 100, 10, 1, 1, 1, 1, 1, 1, 2, 8, 1));
        assertTrue(e.getMessage().contains("catchUpSlotsMax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PbftConfig(8, 4, 1, 100, 10, 1, 1, 1, 1, 1, 1, 8, 4, 1));
        assertTrue(e.getMessage().contains("historySlotsMax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PbftConfig.wideAreaDefaults().withRetransmitMaxMillis(100));
        assertTrue(e.getMessage().contains("retransmitMaxMillis") && e.getMessage().contains("retransmitMillis"), e.getMessage());
    }

    @Test
    void newTimeoutsKeepTheRetransmissionStretch() {
        assertEquals(600, PbftConfig.wideAreaDefaults().retransmitMaxMillis(), "twice the 300 ms period");
        assertEquals(60, PbftConfig.wideAreaDefaults().withTimeouts(100, 200, 30).retransmitMaxMillis());
        assertEquals(10, PbftConfig.localDefaults().retransmitMaxMillis(), "fixed inside a site");
        assertEquals(25, PbftConfig.localDefaults().withTimeouts(100, 200, 25).retransmitMaxMillis());
    }
}
