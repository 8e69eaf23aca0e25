package io.redoubt.lm.server;

import io.redoubt.lm.core.TimerId;

/**
 * A timer a server asks its host to run, typed by the component it belongs to, so the server
 * routes an expiry without parsing names: the local ordering core's own timers, and the local
 * timers behind LM timeouts (section 4.3).
 */
public sealed interface ServerTimer extends Comparable<ServerTimer> {
    TimerId id();

    /** A timer of the site's local ordering core. */
    record Local(TimerId id) implements ServerTimer {}

    /** This server's local timer for a wide-area timer of its logical machine (an LM timeout, section 4.3). */
    record LmTimeout(TimerId id) implements ServerTimer {}

    @Override
    default int compareTo(ServerTimer o) {
        int c = Boolean.compare(this instanceof LmTimeout, o instanceof LmTimeout);
        return c != 0 ? c : id().compareTo(o.id());
    }
}
