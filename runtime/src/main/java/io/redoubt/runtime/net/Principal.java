package io.redoubt.runtime.net;

import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;

/**
 * Who is at the other end of a connection: a server or a client. Its name is what a TLS
 * certificate of the deployment carries as its common name ({@code server-1.2},
 * {@code client-0.7}) and what the first frame of a connection announces.
 */
public sealed interface Principal {
    record Server(ServerId id) implements Principal {
        public String name() {
            return "server-" + id;
        }
    }

    record Client(ClientId id) implements Principal {
        public String name() {
            return "client-" + id.site().value() + "." + id.index();
        }
    }

    String name();

    /** Parses {@link #name()}; throws IllegalArgumentException on anything else. */
    static Principal parse(String name) {
        int dot = name.lastIndexOf('.');
        int dash = name.indexOf('-');
        if (dash < 0 || dot < dash) throw new IllegalArgumentException("not a principal name: '" + name + "' (expected server-S.I or client-S.C)");
        int site;
        int index;
        try {
            site = Integer.parseInt(name.substring(dash + 1, dot));
            index = Integer.parseInt(name.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a principal name: '" + name + "' (expected server-S.I or client-S.C)");
        }
        if (site < 0 || index < 0) throw new IllegalArgumentException("not a principal name: '" + name + "'");
        return switch (name.substring(0, dash)) {
            case "server" -> new Server(ServerId.of(site, index));
            case "client" -> new Client(ClientId.of(site, index));
            default -> throw new IllegalArgumentException("not a principal name: '" + name + "' (expected server-S.I or client-S.C)");
        };
    }
}
