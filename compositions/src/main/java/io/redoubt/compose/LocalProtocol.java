package io.redoubt.compose;

import io.redoubt.lm.core.Quorums;
import java.util.Locale;

/** The protocol the servers of one site run to act as one logical machine (Lane 2008, section 4.3). */
public enum LocalProtocol {
    /** Multi-Paxos among 2f+1 servers: f crashes. */
    PAXOS,
    /** PBFT among 3f+1 servers: f Byzantine servers; the site signs with f+1 shares. */
    BFT,
    /** One server and no local ordering: flat Paxos or flat BFT on the same code, for comparison. */
    SOLO;

    /** Whether servers of the site may be Byzantine, so that the site signs with shares and clients need f+1 replies. */
    public boolean byzantine() {
        return this == BFT;
    }

    /** f: the faulty servers a site of {@code servers} tolerates. */
    public int faultsTolerated(int servers) {
        return switch (this) {
            case BFT -> Quorums.byzantineFaultsTolerated(servers);
            case PAXOS -> Quorums.crashFaultsTolerated(servers);
            case SOLO -> 0;
        };
    }

    /** The servers a site needs to tolerate {@code f} faults: 3f+1, 2f+1, or one for a solo site. */
    public int groupSize(int f) {
        return switch (this) {
            case BFT -> Quorums.byzantineGroupSize(f);
            case PAXOS -> Quorums.benignGroupSize(f);
            case SOLO -> 1;
        };
    }

    /** Rejects a site size this protocol cannot run on, with the fix; {@code where} names the setting. */
    void checkSize(int servers, String where) {
        switch (this) {
            case BFT -> {
                if (servers < 4) {
                    throw new IllegalArgumentException(where + " " + servers + " is too few for bft inside a site: it needs 3f+1 servers with f >= 1, so at least 4");
                }
            }
            case SOLO -> {
                if (servers != 1) throw new IllegalArgumentException(where + " " + servers + " with solo sites: they have exactly one server; use 1");
            }
            case PAXOS -> {
                if (servers < 1) throw new IllegalArgumentException(where + " " + servers + ": a site needs at least one server");
            }
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LocalProtocol parse(String s) {
        for (LocalProtocol p : values()) if (p.cliName().equals(s.toLowerCase(Locale.ROOT))) return p;
        throw new IllegalArgumentException("'" + s + "' is not a local protocol; valid: paxos, bft, solo");
    }
}
