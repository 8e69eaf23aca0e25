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
