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
        int dash = name.indexOf('-');
        String kind = dash < 0 ? "" : name.substring(0, dash);
        try {
            return switch (kind) {
                case "server" -> new Server(ServerId.parse(name.substring(dash + 1)));
                case "client" -> new Client(ClientId.parse(name.substring(dash + 1)));
                default -> throw new IllegalArgumentException("unknown kind");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a principal name: '" + name + "' (expected server-S.I or client-S.C)");
        }
    }
}
