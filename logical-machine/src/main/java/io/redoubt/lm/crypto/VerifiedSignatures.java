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
        // The simulator's stand-in check is one SHA-256 over (key, content): cheaper than the
        // memo's own digest plus a set lookup, so the memo only adds cost there. The verdict is
        // the same either way (the memo never decides it); only hits() stays at zero.
        if (keys.scheme().checksAsCheaplyAsMemo()) return keys.verify(signer, content, signature);
        Bytes key = key(signer, content, signature);
        if (verified.contains(key)) {
            hits++;
            return true;
        }
        if (!keys.verify(signer, content, signature)) return false;
        remember(key);
        return true;
    }

    /**
     * A signature this server made itself: it needs no check when it comes back (an LM timeout
     * carries the notices that proved it, this server's own among them).
     */
    public void rememberOwn(KeyDirectory keys, Object signer, Bytes content, Bytes signature) {
        if (!keys.scheme().checksAsCheaplyAsMemo()) remember(key(signer, content, signature));
    }

    private void remember(Bytes key) {
        verified.add(key);
        if (verified.size() > capacity) {
            Iterator<Bytes> it = verified.iterator();
            it.next();
            it.remove();
        }
    }

    /**
     * One digest over len(signer) || signer || len(content) || content || signature: unambiguous,
     * and a third of the hashing of nesting three digests (with simulated signatures the check
     * itself is one digest).
     */
    private static Bytes key(Object signer, Bytes content, Bytes signature) {
        byte[] who = signer.toString().getBytes(StandardCharsets.UTF_8);
        java.security.MessageDigest d = Digests.newSha256();
        d.update(length(who.length));
        d.update(who);
        d.update(length(content.length()));
        d.update(content.unsafeArray(), 0, content.length());
        d.update(signature.unsafeArray(), 0, signature.length());
        return Bytes.wrap(d.digest());
    }

    private static byte[] length(int n) {
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    /** Checks answered from memory so far. */
    public long hits() {
        return hits;
    }
}
