package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 (RFC 2104) for the MACs of PBFT's authenticators: the JDK's, whose SHA-256 the JIT
 * compiles to the CPU's SHA instructions where it has them, about three times BouncyCastle's
 * pure-Java digest on the reference machine; the same bytes either way.
 */
final class HmacSha256 {
    /** Looked up once and cloned per MAC: a lookup by name costs more than the MAC. */
    private static final Mac PROTOTYPE;

    static {
        try {
            PROTOTYPE = Mac.getInstance("HmacSHA256");
            // Mac picks its provider lazily, on first use, through a field that is not volatile;
            // choose it here, before any thread clones the prototype.
            PROTOTYPE.getProvider();
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError("every Java 17 runtime has HmacSHA256: " + e);
        }
    }

    private HmacSha256() {}

    static byte[] mac(byte[] key, Bytes message) {
        Mac h;
        try {
            h = (Mac) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            h = fresh(); // a provider whose Mac does not clone: look one up each time
        }
        try {
            h.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 refused a " + key.length + "-byte key", e);
        }
        h.update(message.unsafeArray(), 0, message.length());
        return h.doFinal();
    }

    private static Mac fresh() {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 was found once and is gone", e);
        }
    }
}
