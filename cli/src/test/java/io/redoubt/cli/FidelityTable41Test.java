package io.redoubt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code bin/redoubt fidelity} prints Table 4.1 beside the measured worst placements (issue 17, acceptance 2). */
class FidelityTable41Test {
    @Test
    void everySubProtocolAndBothDirectionsArePrintedWithinTheTable() {
        StringWriter text = new StringWriter();
        FidelityCommand.printTable41(new PrintWriter(text, true));
        String out = text.toString();
        assertTrue(out.contains("Every measured value is within Table 4.1."), out);
        for (String sub : new String[] {"(Byz, Byz)", "(Byz, Benign)", "(Benign, Byz)", "(Benign, Benign)"}) {
            assertEquals(4, out.lines().filter(l -> l.startsWith("  " + sub + " ") && l.contains("->")).count(), sub + " rows in\n" + out);
        }
        // (Byz, Byz) with f = 1 at both ends: Table 4.1 allows 2 f_A = 2 and the best placement reaches it.
        assertTrue(out.lines().anyMatch(l -> l.matches("  \\(Byz, Byz\\)\\s+4 \\(f=1\\) -> 4 \\(f=1\\)\\s+\\|\\s+4/9\\s+0\\.56 \\|\\s+2\\s+2")), out);
    }
}
