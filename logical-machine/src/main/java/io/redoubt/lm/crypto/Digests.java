package io.redoubt.lm.crypto;

import io.redoubt.lm.Bytes;
import org.bouncycastle.crypto.digests.SHA256Digest;

/** SHA-256, the message digest of the whole system (section 4.2 assumes a collision-resistant hash). */
public final class Digests {
    private Digests() {}

    public static Bytes sha256(Bytes data) {
        return sha256(data.unsafeArray());
    }

    public static Bytes sha256(byte[] data) {
        SHA256Digest d = new SHA256Digest();
        d.update(data, 0, data.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return Bytes.wrap(out);
    }

    /** SHA-256 of the concatenation a || b (hash chains, Merkle nodes). */
    public static Bytes sha256(Bytes a, Bytes b) {
        SHA256Digest d = new SHA256Digest();
        d.update(a.unsafeArray(), 0, a.length());
        d.update(b.unsafeArray(), 0, b.length());
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return Bytes.wrap(out);
    }
}
