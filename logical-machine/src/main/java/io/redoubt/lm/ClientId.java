package io.redoubt.lm;

/** A client: it belongs to one site (its local site, section 4.2) and has an index there. */
public record ClientId(SiteId site, int index) implements Comparable<ClientId> {
    public ClientId {
        if (site == null) throw new IllegalArgumentException("site must not be null");
        if (index < 0) throw new IllegalArgumentException("client index must be >= 0, was " + index);
    }

    public static ClientId of(int site, int index) {
        return new ClientId(new SiteId(site), index);
    }

    /** Parses {@code SITE.INDEX} (e.g. {@code 0.7}), as clients are named on the command line. */
    public static ClientId parse(String s) {
        int[] p = ServerId.parseSiteDotIndex(s, "client");
        return of(p[0], p[1]);
    }

    @Override
    public int compareTo(ClientId o) {
        int c = site.compareTo(o.site);
        return c != 0 ? c : Integer.compare(index, o.index);
    }

    @Override
    public String toString() {
        return "c" + site.value() + "." + index;
    }
}
