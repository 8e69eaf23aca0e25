package io.redoubt.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import org.junit.jupiter.api.Test;

/**
 * The checkers forget the digests of ordered events every running server has passed (issue 18:
 * a long run stays bounded), and still catch a divergence at any later point.
 */
class CheckersForgetTest {
    private static Bytes digest(String s) {
        return io.redoubt.lm.crypto.Digests.sha256(Bytes.ofUtf8(s));
    }

    @Test
    void digestsBeforeTheSlowestServerAreForgottenAndLaterOnesStillCompared() {
        Checkers c = new Checkers();
        ServerId a = ServerId.of(0, 0), b = ServerId.of(0, 1);
        for (long e = 1; e <= 10; e++) {
            long events = e;
            c.logicalMachineState(a, events, digest("trail " + e), () -> digest("state " + events), true, 0);
        }
        c.forgetBefore(new SiteId(0), 6);
        // Forgotten: a different digest at 3 is not compared (nothing is held there any more).
        c.logicalMachineState(b, 3, digest("other trail"), () -> digest("other state"), true, 0);
        assertEquals(0, c.violations().size(), c.violations().toString());
        // Still held: the same at 7 is a divergence.
        c.logicalMachineState(b, 7, digest("other trail"), () -> digest("other state"), true, 0);
        assertTrue(c.violations().stream().anyMatch(v -> v.contains("diverged") && v.contains("after 7")), c.violations().toString());
    }
}
