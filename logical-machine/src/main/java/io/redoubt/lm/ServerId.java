package io.redoubt.lm;

/** A physical server: its site and its index inside that site (0-based). */
public record ServerId(SiteId site, int index) implements Comparable<ServerId> {
    public ServerId {
        if (site == null) throw new IllegalArgumentException("site must not be null");
        if (index < 0) throw new IllegalArgumentException("server index must be >= 0, was " + index);
    }

    public static ServerId of(int site, int index) {
        return new ServerId(new SiteId(site), index);
    }

    /** Parses {@code SITE.INDEX} (e.g. {@code 1.2}), as servers are named in files and on the command line. */
    public static ServerId parse(String s) {
        int[] p = parseSiteDotIndex(s, "server");
        return of(p[0], p[1]);
    }

    /** {@code SITE.INDEX} as two numbers; the message names what was expected. Shared with {@link ClientId#parse}. */
    static int[] parseSiteDotIndex(String s, String what) {
        int dot = s.indexOf('.');
        try {
            if (dot > 0) {
                int site = Integer.parseInt(s.substring(0, dot));
                int index = Integer.parseInt(s.substring(dot + 1));
                if (site >= 0 && index >= 0) return new int[] {site, index};
            }
        } catch (NumberFormatException ignored) {
            // reported below with the expected form
        }
        throw new IllegalArgumentException("'" + s + "' is not a " + what + " name; write SITE.INDEX, e.g. 1.2");
    }

    @Override
    public int compareTo(ServerId o) {
        int c = site.compareTo(o.site);
        return c != 0 ? c : Integer.compare(index, o.index);
    }

    @Override
    public String toString() {
        return site.value() + "." + index;
    }
}
