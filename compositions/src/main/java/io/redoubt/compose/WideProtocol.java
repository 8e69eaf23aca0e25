package io.redoubt.compose;

import io.redoubt.lm.core.Quorums;
import java.util.Locale;

/** The protocol the logical machines run among themselves (Lane 2008, section 4.3). */
public enum WideProtocol {
    /** Multi-Paxos among 2F+1 sites: tolerates F sites that crash or are cut off, none compromised. */
    PAXOS,
    /** PBFT among 3F+1 sites: tolerates F wholly compromised sites. */
    BFT;

    /** Whether a site may be compromised (Byzantine) without breaking safety. */
    public boolean byzantine() {
        return this == BFT;
    }

    /** F: the sites {@code sites} logical machines tolerate failing. */
    public int faultsTolerated(int sites) {
        return byzantine() ? Quorums.byzantineFaultsTolerated(sites) : Quorums.crashFaultsTolerated(sites);
    }

    /** The fewest sites that tolerate one faulty site. */
    public int minimumSites() {
        return byzantine() ? Quorums.byzantineGroupSize(1) : 1;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WideProtocol parse(String s) {
        for (WideProtocol p : values()) if (p.cliName().equals(s.toLowerCase(Locale.ROOT))) return p;
        throw new IllegalArgumentException("'" + s + "' is not a wide-area protocol; valid: paxos, bft");
    }
}
