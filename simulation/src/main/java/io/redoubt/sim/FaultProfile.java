package io.redoubt.sim;

/** Which faults a simulation run injects during its safety phase. */
public enum FaultProfile {
    /** No faults: a clean network; used for the round counts of Table 4.2 and the demo. */
    NONE,
    /**
     * Benign faults: message loss, duplication and reordering, site partitions and merges, and
     * server crashes with restart from stable storage (the crash-recovery model Paxos tolerates).
     */
    BENIGN,
    /**
     * The benign faults, plus adversaries placed within the composition's assumptions (section
     * 4.2): up to f Byzantine servers in each BFT site, up to F compromised sites when BFT runs on
     * the wide area; Paxos sites and a Paxos wide area get crash faults only.
     */
    BYZANTINE,
    /**
     * The benign faults, plus faulty links between logical machines (issue 17): in BFT sites up to
     * f servers that are correct inside their site but, as forwarders or peers, drop every
     * wide-area frame, the frames to one site only, or everything they receive from other sites,
     * or say nothing at all; half of them at index 0, every site's first forwarder and peer.
     * Paxos sites get crash faults only, as with {@link #BYZANTINE}.
     */
    BYZANTINE_LINKS;

    public static FaultProfile parse(String s) {
        return switch (s) {
            case "none" -> NONE;
            case "benign" -> BENIGN;
            case "byzantine" -> BYZANTINE;
            case "byzantine-links" -> BYZANTINE_LINKS;
            default -> throw new IllegalArgumentException("--faults '" + s + "' is not valid; valid: none, benign, byzantine, byzantine-links");
        };
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
