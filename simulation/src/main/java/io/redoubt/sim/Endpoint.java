package io.redoubt.sim;

import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;

/** A simulated network endpoint: a server or a client, each in one site. Ordered servers first. */
public record Endpoint(boolean client, int site, int index) implements Comparable<Endpoint> {
    public static Endpoint of(ServerId s) {
        return new Endpoint(false, s.site().value(), s.index());
    }

    public static Endpoint of(ClientId c) {
        return new Endpoint(true, c.site().value(), c.index());
    }

    public ServerId server() {
        return new ServerId(new SiteId(site), index);
    }

    public ClientId clientId() {
        return new ClientId(new SiteId(site), index);
    }

    @Override
    public int compareTo(Endpoint o) {
        if (client != o.client) return client ? 1 : -1;
        if (site != o.site) return Integer.compare(site, o.site);
        return Integer.compare(index, o.index);
    }

    @Override
    public String toString() {
        return (client ? "c" : "s") + site + "." + index;
    }
}
