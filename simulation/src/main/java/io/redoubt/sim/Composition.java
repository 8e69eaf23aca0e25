package io.redoubt.sim;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftFactory;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.SoloCore;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.server.LmKeyring;
import io.redoubt.paxos.PaxosFactory;
import java.util.List;
import java.util.Locale;

/**
 * A composition, named wide-area/local (section 4.3): which ordering protocol the logical
 * machines run among themselves, and which each site runs inside. Choosing one is configuration;
 * the servers are built from the two factories and nothing else changes.
 *
 * <p>Wide area: {@code paxos} (2F+1 sites, benign site faults) or {@code bft} (3F+1 sites, F
 * sites may be wholly compromised). Local: {@code paxos} (2f+1 servers, crashes), {@code bft}
 * (3f+1 servers, f Byzantine), or {@code solo} (one server per site, no local ordering: flat
 * Paxos or flat BFT on the same code, for comparison).
 */
public record Composition(String wideProtocol, String localProtocol) {
    public static final List<String> WIDE = List.of("paxos", "bft");
    public static final List<String> LOCAL = List.of("paxos", "bft", "solo");
    public static final String VALID = "paxos/paxos, bft/paxos, paxos/bft, bft/bft, paxos/solo, bft/solo";

    public static Composition parse(String name) {
        String[] parts = name.toLowerCase(Locale.ROOT).split("/");
        if (parts.length != 2 || !WIDE.contains(parts[0]) || !LOCAL.contains(parts[1])) {
            throw new IllegalArgumentException("composition '" + name + "' is not valid; valid: " + VALID);
        }
        return new Composition(parts[0], parts[1]);
    }

    public String cliName() {
        return wideProtocol + "/" + localProtocol;
    }

    public boolean byzantineSites() {
        return localProtocol.equals("bft");
    }

    public boolean byzantineWideArea() {
        return wideProtocol.equals("bft");
    }

    /** Rejects a topology the protocols cannot run on, with the fix. */
    void checkTopology(int sites, int serversPerSite) {
        switch (localProtocol) {
            case "bft" -> {
                if (serversPerSite < 4) {
                    throw new IllegalArgumentException("--servers-per-site " + serversPerSite + " is too few for " + cliName()
                            + ": BFT inside a site needs 3f+1 servers with f >= 1, so at least 4");
                }
            }
            case "solo" -> {
                if (serversPerSite != 1) {
                    throw new IllegalArgumentException("--servers-per-site " + serversPerSite + " with " + cliName()
                            + ": solo sites have exactly one server; use --servers-per-site 1");
                }
            }
            default -> { }
        }
        if (byzantineWideArea() && sites < 4) {
            throw new IllegalArgumentException("--sites " + sites + " is too few for " + cliName()
                    + ": BFT among sites needs 3F+1 sites with F >= 1, so at least 4");
        }
    }

    /** Faults one site tolerates: f of 3f+1 (BFT), f of 2f+1 (Paxos), none (solo). */
    public int siteFaults(int serversPerSite) {
        return switch (localProtocol) {
            case "bft" -> (serversPerSite - 1) / 3;
            case "paxos" -> (serversPerSite - 1) / 2;
            default -> 0;
        };
    }

    /** Sites the wide area tolerates failing: F of 3F+1 (BFT, compromised), F of 2F+1 (Paxos, crashed or cut off). */
    public int wideFaults(int sites) {
        return byzantineWideArea() ? (sites - 1) / 3 : (sites - 1) / 2;
    }

    /** How a site signs as a logical machine: one site key (benign) or f+1 shares (Byzantine), section 4.3. */
    public LmKeyring.SiteSpec siteSpec(int serversPerSite, LmKeyring.Kind byzantineSigning) {
        LmKeyring.Kind kind = byzantineSites() ? byzantineSigning : LmKeyring.Kind.SITE_KEY;
        return new LmKeyring.SiteSpec(serversPerSite, siteFaults(serversPerSite), kind);
    }

    /** @param wideKeys PBFT among sites signs with LM proofs ({@link io.redoubt.bft.LmProofKeys}) */
    CoreFactory wideFactory(SimConfig c, NodeKeys.Provider wideKeys) {
        return wideProtocol.equals("bft") ? new PbftFactory(c.widePbft(), wideKeys) : new PaxosFactory(c.widePaxos());
    }

    CoreFactory localFactory(SimConfig c, KeyDirectory keys) {
        return switch (localProtocol) {
            case "bft" -> new PbftFactory(c.localPbft(), NodeKeys.fromDirectory(keys));
            case "solo" -> new SoloCore.Factory(c.localPaxos().payloadBytesMax());
            default -> new PaxosFactory(c.localPaxos());
        };
    }

    /** Table 4.2 of Lane 2008: normal-case rounds per update {wide-area, local-area, total}; null for solo. */
    public int[] table42Rounds() {
        return switch (cliName()) {
            case "paxos/paxos" -> new int[] {2, 6, 8};
            case "bft/paxos" -> new int[] {3, 8, 11};
            case "paxos/bft" -> new int[] {2, 11, 13};
            case "bft/bft" -> new int[] {3, 15, 18};
            default -> null;
        };
    }
}
