package io.redoubt.sim;

/** Which faults a simulation run injects during its safety phase. */
public enum FaultProfile {
    /** No faults: a clean network; used for the round counts of Table 4.2 and the demo. */
    NONE,
    /**
     * Benign faults: message loss, duplication and reordering, site partitions and merges, and
     * server crashes with restart from stable storage (the crash-recovery model Paxos tolerates).
     */
    BENIGN;

    public static FaultProfile parse(String s) {
        return switch (s) {
            case "none" -> NONE;
            case "benign" -> BENIGN;
            default -> throw new IllegalArgumentException("--faults '" + s + "' is not valid; valid: none, benign"
                    + (s.equals("byzantine") ? " (byzantine arrives with the BFT compositions)" : ""));
        };
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
