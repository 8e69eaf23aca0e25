package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyDirectory;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Remembers signatures this server already verified, so an update checked when a client handed
 * it in is not checked again when it executes. Bounded; oldest entries go first. The verdict of a
 * signature check never depends on the cache, only its cost does.
 */
final class VerifiedCache {
    private final int capacity;
    private final LinkedHashSet<Bytes> verified = new LinkedHashSet<>();

    VerifiedCache(int capacity) {
        this.capacity = capacity;
    }

    boolean verify(KeyDirectory keys, Object signer, Bytes content, Bytes signature) {
        Bytes key = Digests.sha256(Digests.sha256(content), signature);
        if (verified.contains(key)) return true;
        if (!keys.verify(signer, content, signature)) return false;
        verified.add(key);
        if (verified.size() > capacity) {
            Iterator<Bytes> it = verified.iterator();
            it.next();
            it.remove();
        }
        return true;
    }
}
