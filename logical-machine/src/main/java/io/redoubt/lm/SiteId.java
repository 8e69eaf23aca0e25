package io.redoubt.lm;

/** A wide-area site; as a participant of the wide-area protocol it is one logical machine. */
public record SiteId(int value) implements Comparable<SiteId> {
    public SiteId {
        if (value < 0) throw new IllegalArgumentException("site id must be >= 0, was " + value);
    }

    public static SiteId of(int value) {
        return new SiteId(value);
    }

    @Override
    public int compareTo(SiteId o) {
        return Integer.compare(value, o.value);
    }

    @Override
    public String toString() {
        return "site" + value;
    }
}
