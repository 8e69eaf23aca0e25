package io.redoubt.lm.crypto;

import io.redoubt.lm.Bytes;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032) with BouncyCastle's implementation, which measured 8-18x faster than the
 * JDK's here (DEPENDENCIES.md). Deterministic by construction. The private key is the 32-byte
 * seed; the public key is the 32-byte encoded point.
 */
public final class Ed25519Scheme implements SignatureScheme {
    public static final Ed25519Scheme INSTANCE = new Ed25519Scheme();
    public static final int SIGNATURE_LENGTH = 64;

    private Ed25519Scheme() {}

    @Override
    public String name() {
        return "ed25519";
    }

    @Override
    public KeyPair generate(Bytes seed32) {
        if (seed32.length() != 32) throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
        Ed25519PrivateKeyParameters priv = new Ed25519PrivateKeyParameters(seed32.unsafeArray(), 0);
        return new KeyPair(seed32, Bytes.wrap(priv.generatePublicKey().getEncoded()));
    }

    /**
     * Private keys with their public key derived once: BouncyCastle derives it (a scalar
     * multiplication, as costly as the signature itself) on every sign unless the parameters
     * object has done so before. A server signs with one key for its whole life.
     */
    private final ConcurrentHashMap<Bytes, Ed25519PrivateKeyParameters> signingKeys = new ConcurrentHashMap<>();
    private static final int SIGNING_KEYS_MAX = 1 << 12;

    @Override
    public Bytes sign(Bytes privateKey, Bytes message) {
        if (privateKey.length() != 32) throw new IllegalArgumentException("Ed25519 private key must be 32 bytes");
        Ed25519PrivateKeyParameters key = signingKeys.get(privateKey);
        if (key == null) {
            key = new Ed25519PrivateKeyParameters(privateKey.unsafeArray(), 0);
            key.generatePublicKey(); // kept by the parameters object for every later sign
            if (signingKeys.size() >= SIGNING_KEYS_MAX) signingKeys.clear();
            signingKeys.put(Bytes.wrap(privateKey.toArray()), key);
        }
        byte[] signature = new byte[SIGNATURE_LENGTH];
        key.sign(Ed25519.Algorithm.Ed25519, null, message.unsafeArray(), 0, message.length(), signature, 0);
        return Bytes.wrap(signature);
    }

    @Override
    public boolean agrees() {
        return true;
    }

    /**
     * X25519 (RFC 7748) on the same key pairs: the X25519 scalar is the first half of SHA-512 of
     * the seed (RFC 8032, section 5.1.5; X25519 clamps it the same way), and a peer's Edwards point
     * maps to the Montgomery u = (1 + y) / (1 - y) mod p (RFC 7748, section 4.1).
     */
    @Override
    public Bytes agree(Bytes ownPrivateKey, Bytes peerPublicKey) {
        if (ownPrivateKey.length() != 32 || peerPublicKey.length() != 32) throw new IllegalArgumentException("Ed25519 keys are 32 bytes");
        byte[] h = new byte[64];
        org.bouncycastle.crypto.digests.SHA512Digest sha512 = new org.bouncycastle.crypto.digests.SHA512Digest();
        sha512.update(ownPrivateKey.unsafeArray(), 0, 32);
        sha512.doFinal(h, 0);
        byte[] shared = new byte[32];
        if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(h, 0, montgomeryU(peerPublicKey), 0, shared, 0)) {
            throw new IllegalArgumentException("peer key of small order");
        }
        return Bytes.wrap(shared);
    }

    private static final java.math.BigInteger P = java.math.BigInteger.ONE.shiftLeft(255).subtract(java.math.BigInteger.valueOf(19));

    /** The Montgomery u of an encoded Edwards point (little-endian y; its top bit is x's sign, irrelevant to u). */
    private static byte[] montgomeryU(Bytes edwards) {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) be[i] = edwards.unsafeArray()[31 - i];
        be[0] &= 0x7f;
        java.math.BigInteger y = new java.math.BigInteger(1, be);
        java.math.BigInteger oneMinusY = java.math.BigInteger.ONE.subtract(y).mod(P);
        if (y.compareTo(P) >= 0 || oneMinusY.signum() == 0) throw new IllegalArgumentException("not an Ed25519 public key");
        // u < p < 2^255, so its big-endian form has at most 32 bytes (no sign byte); reversed, little-endian.
        byte[] u = java.math.BigInteger.ONE.add(y).multiply(oneMinusY.modInverse(P)).mod(P).toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < u.length; i++) le[i] = u[u.length - 1 - i];
        return le;
    }

    /**
     * Public keys already decoded to curve points. Decoding one (a square root in the field)
     * costs about a tenth of a verification, and a deployment checks the same few hundred keys
     * over and over. Bounded: a flood of unknown keys only empties it.
     */
    private final ConcurrentHashMap<Bytes, Ed25519PublicKeyParameters> decodedKeys = new ConcurrentHashMap<>();
    private static final int DECODED_KEYS_MAX = 1 << 14;

    @Override
    public boolean verify(Bytes publicKey, Bytes message, Bytes signature) {
        if (publicKey.length() != 32 || signature.length() != SIGNATURE_LENGTH) return false;
        try {
            Ed25519PublicKeyParameters key = decodedKeys.get(publicKey);
            if (key == null) {
                key = new Ed25519PublicKeyParameters(publicKey.unsafeArray(), 0);
                if (decodedKeys.size() >= DECODED_KEYS_MAX) decodedKeys.clear();
                decodedKeys.put(Bytes.wrap(publicKey.toArray()), key); // a copy: the caller's array is not ours to keep
            }
            return key.verify(Ed25519.Algorithm.Ed25519, null, message.unsafeArray(), 0, message.length(), signature.unsafeArray(), 0);
        } catch (RuntimeException malformedPoint) {
            return false;
        }
    }
}
