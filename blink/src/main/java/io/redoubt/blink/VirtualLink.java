package io.redoubt.blink;

/**
 * One virtual link of a logical link (Lane 2008, section 4.4.1, Figure 4.2): the server of the
 * sending logical machine that forwards, and the server of the receiving one that disseminates
 * to its site. Both are server indices within their own site.
 */
public record VirtualLink(int forwarder, int peer) {
    public VirtualLink {
        if (forwarder < 0 || peer < 0) throw new IllegalArgumentException("server indices must be >= 0: " + forwarder + ", " + peer);
    }
}
