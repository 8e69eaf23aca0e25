package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Batch roots whose logical-machine signature this receiver already checked, so the second and
 * later messages of a batch cost only hashing (Lane 2008, section 4.6: one signature
 * authenticates several messages, and the receiver need not check it again).
 *
 * <p>Keyed by (site, root, digest of the signature as received), not by (site, root) alone:
 * <ul>
 *   <li>the site, because a root is trusted only as signed by the site it was checked for; a
 *       root verified for site A says nothing about site B;
 *   <li>the signature, so that the verdict on a message never depends on what happens to be
 *       cached, only its cost does. Keyed on (site, root) alone, a message carrying a mangled
 *       signature would be accepted by a server that saw the batch before and rejected by one
 *       that did not, and the servers of a logical machine, which verify while executing the
 *       same ordered events, would diverge (section 4.3). It also keeps envelopes unmalleable.
 * </ul>
 *
 * <p>Bounded, least recently used first out. A site that floods it with validly signed roots
 * can only evict entries, which costs later checks again and never changes a verdict.
 *
 * <p>Entries are added only by {@link LmMessageVerifier}, after its signature check passed.
 * Not thread-safe; one cache belongs to one core or host loop.
 */
public final class VerifiedRootCache {
    private record Key(SiteId site, Bytes root, Bytes signatureDigest) {}

    /** Recent roots one server keeps as checked: many batches' worth at every site. */
    public static final int DEFAULT_CAPACITY = 4_096;

    private final int capacity;
    private final LinkedHashMap<Key, Boolean> entries;

    public VerifiedRootCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("root cache capacity must be >= 1, was " + capacity);
        this.capacity = capacity;
        // Access order gives LRU; LinkedHashMap iterates in that order, never in hash order.
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
                return size() > VerifiedRootCache.this.capacity;
            }
        };
    }

    private static Key key(SiteId site, Bytes root, LmSignature signature) {
        return new Key(site, root, io.redoubt.lm.crypto.Digests.sha256(signature.encode()));
    }

    /** True if this exact (site, root, signature) was verified before; refreshes its recency. */
    public boolean contains(SiteId site, Bytes root, LmSignature signature) {
        return entries.get(key(site, root, signature)) != null;
    }

    /** Package-private: only a successful check may add, so nothing outside can plant trust. */
    void add(SiteId site, Bytes root, LmSignature signature) {
        entries.put(key(site, root, signature), Boolean.TRUE);
    }

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public String toString() {
        return "VerifiedRootCache(" + entries.size() + "/" + capacity + ")";
    }
}
