package io.redoubt.sim;

import io.redoubt.lm.core.CoreFactory;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.paxos.PaxosFactory;

/**
 * A composition, named wide-area/local (section 4.3): which ordering protocol the logical
 * machines run among themselves, and which each site runs inside. Choosing one is configuration;
 * the servers are built from the two factories and nothing else changes.
 */
public record Composition(String wideProtocol, String localProtocol) {
    public static final String VALID = "paxos/paxos";

    public static Composition parse(String name) {
        String[] parts = name.toLowerCase(java.util.Locale.ROOT).split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("composition '" + name + "' must be wide/local; valid: " + VALID);
        }
        for (String p : parts) {
            if (!p.equals("paxos")) {
                throw new IllegalArgumentException("composition '" + name + "' is not available; valid: " + VALID
                        + (p.equals("bft") || p.equals("solo") ? " (bft and solo arrive with the BFT compositions)" : ""));
            }
        }
        return new Composition(parts[0], parts[1]);
    }

    public String cliName() {
        return wideProtocol + "/" + localProtocol;
    }

    public CoreFactory wideFactory(PaxosConfig config) {
        return new PaxosFactory(config);
    }

    public CoreFactory localFactory(PaxosConfig config) {
        return new PaxosFactory(config);
    }

    /** Table 4.2 of Lane 2008: normal-case rounds per update {wide-area, local-area, total}. */
    public int[] table42Rounds() {
        return switch (cliName()) {
            case "paxos/paxos" -> new int[] {2, 6, 8};
            case "bft/paxos" -> new int[] {3, 8, 11};
            case "paxos/bft" -> new int[] {2, 11, 13};
            case "bft/bft" -> new int[] {3, 15, 18};
            default -> throw new IllegalStateException("no Table 4.2 row for " + cliName());
        };
    }
}
