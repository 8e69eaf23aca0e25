package io.redoubt.lm.crypto;

import io.redoubt.lm.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Remembers signatures one server already verified, so that the same signed bytes arriving again
 * (a retransmission, an update checked on arrival and again at execution, a message relayed
 * inside a certificate) cost a hash instead of a signature check. The verdict never depends on
 * the cache, only its cost: an entry binds the signer, a digest of the content and the signature,
 * and only successful checks are remembered. Bounded; the oldest entries go first. One per server:
 * sharing one between servers would hide their real cost.
 */
public final class VerifiedSignatures {
    private final int capacity;
    private final LinkedHashSet<Bytes> verified = new LinkedHashSet<>();
    private long hits;

    public VerifiedSignatures(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be positive: " + capacity);
        this.capacity = capacity;
    }

    /** Whether {@code signature} is {@code signer}'s over {@code content}, checked with {@code keys} unless remembered. */
    public boolean verify(KeyDirectory keys, Object signer, Bytes content, Bytes signature) {
        // signer || H(content) ends in a fixed-size digest, and so does the next prefix: unambiguous.
        Bytes who = Digests.sha256(Bytes.wrap(signer.toString().getBytes(StandardCharsets.UTF_8)), Digests.sha256(content));
        Bytes key = Digests.sha256(who, signature);
        if (verified.contains(key)) {
            hits++;
            return true;
        }
        if (!keys.verify(signer, content, signature)) return false;
        verified.add(key);
        if (verified.size() > capacity) {
            Iterator<Bytes> it = verified.iterator();
            it.next();
            it.remove();
        }
        return true;
    }

    /** Checks answered from memory so far. */
    public long hits() {
        return hits;
    }
}
