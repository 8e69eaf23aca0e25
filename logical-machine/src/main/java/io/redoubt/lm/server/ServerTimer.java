package io.redoubt.lm.server;

import io.redoubt.lm.core.TimerId;

/**
 * A timer a server asks its host to run, typed by the component it belongs to, so the server
 * routes an expiry without parsing names: the local ordering core's own timers, the local timers
 * behind LM timeouts (section 4.3), CLink-Opt's wait for an update sent on (section 4.5), and the link's own timers.
 */
public sealed interface ServerTimer extends Comparable<ServerTimer> {
    TimerId id();

    /** A timer of the site's local ordering core. */
    record Local(TimerId id) implements ServerTimer {}

    /** This server's local timer for a wide-area timer of its logical machine (an LM timeout, section 4.3). */
    record LmTimeout(TimerId id) implements ServerTimer {}

    /** This server's wait for a client update it sent on to the leader site (CLink-Opt, section 4.5). */
    record Forward(TimerId id) implements ServerTimer {}

    /** The link's own timer at this server: BLink's forwarder resending what its peer has not acknowledged (section 4.4.1). */
    record Link(TimerId id) implements ServerTimer {}

    /** This server's wait for the next piece of a snapshot it fetches from another server of its site (issue 18). */
    record Snapshot(TimerId id) implements ServerTimer {}

    @Override
    default int compareTo(ServerTimer o) {
        int c = Integer.compare(rank(), o.rank());
        return c != 0 ? c : id().compareTo(o.id());
    }

    private int rank() {
        return this instanceof Local ? 0 : this instanceof LmTimeout ? 1 : this instanceof Forward ? 2 : this instanceof Link ? 3 : 4;
    }
}
