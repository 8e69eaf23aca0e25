package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * One server's half of THRESHOLD-SIGN (Lane 2008, Figure 3.10, GENERATE-PARTIAL-SIG): the
 * partial signature x_i = x^{2 Delta s_i} mod n on x = H(M) (Shoup 2000, "Generating a Signature Share"), and,
 * separately, its proof of correctness. The proof costs about two more exponentiations than
 * the partial, and with optimistic combining (Lane 2008, section 4.3) it is only needed when a
 * combination fails, so it can be produced on request with {@link #prove}, or up front with
 * {@link #signWithProof} when the caller wants to send both in one Partial_Sig message.
 *
 * <p>Partial signatures are deterministic; proofs draw r from the {@link SecureRandom} given
 * here (a seeded one in the simulator). Safe for concurrent use if that source is.
 *
 * <p>A server with loaded keys uses {@link #withProofSecret} instead: r is derived from a secret
 * of its own and the message, as deterministic signatures derive their nonces (RFC 6979). A
 * seeded stream would restart with the server and reuse r for a different message, and two
 * proofs with one r and different challenges reveal the share (z = s c + r).
 */
public final class ThresholdSigner implements PartialSigner {
    private final ThresholdPublicKey publicKey;
    private final KeyShare share;
    private final SecureRandom random;  // null when proofSecret is set
    private final Bytes proofSecret;    // null when random is set
    private final BigInteger partialExponent; // 2 Delta s_i
    private final BigInteger fourDelta;

    /**
     * @throws IllegalArgumentException if the share is not the one the public key's v_i
     *     commits to (a wrong key file is our own misconfiguration, so it fails loudly)
     */
    public ThresholdSigner(ThresholdPublicKey publicKey, KeyShare share, SecureRandom random) {
        this(publicKey, share, Objects.requireNonNull(random, "random"), null);
    }

    /**
     * A signer whose proofs draw r from {@code proofSecret} and the message (see the class
     * comment); the secret must be at least 32 bytes, kept as secret as the share.
     */
    public static ThresholdSigner withProofSecret(ThresholdPublicKey publicKey, KeyShare share, Bytes proofSecret) {
        if (proofSecret.length() < 32) throw new IllegalArgumentException("a proof secret needs at least 32 bytes, had " + proofSecret.length());
        return new ThresholdSigner(publicKey, share, null, proofSecret);
    }

    private ThresholdSigner(ThresholdPublicKey publicKey, KeyShare share, SecureRandom random, Bytes proofSecret) {
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        this.share = Objects.requireNonNull(share, "share");
        this.random = random;
        this.proofSecret = proofSecret;
        BigInteger vi = publicKey.verificationKey(share.serverIndex());
        if (!publicKey.verificationBase().modPow(share.share(), publicKey.modulus()).equals(vi)) {
            throw new IllegalArgumentException("share of server " + share.serverIndex() + " does not match v_"
                    + share.serverIndex() + " of " + publicKey);
        }
        BigInteger delta = ShoupMath.delta(publicKey.servers());
        this.partialExponent = delta.shiftLeft(1).multiply(share.share());
        this.fourDelta = delta.shiftLeft(2);
    }

    public int serverIndex() {
        return share.serverIndex();
    }

    public ThresholdPublicKey publicKey() {
        return publicKey;
    }

    /** x_i = x^{2 Delta s_i} mod n (Shoup 2000, "Generating a Signature Share"). */
    public PartialSignature sign(Bytes message) {
        BigInteger n = publicKey.modulus();
        BigInteger x = FullDomainHash.representative(message, n);
        return new PartialSignature(share.serverIndex(), x.modPow(partialExponent, n));
    }

    /**
     * The proof of correctness for {@code ownPartial}, which must be what {@link #sign} returned
     * for {@code message} (proving anything else yields a proof that does not verify).
     */
    public CorrectnessProof prove(Bytes message, PartialSignature ownPartial) {
        if (ownPartial.serverIndex() != share.serverIndex()) {
            throw new IllegalArgumentException("partial of server " + ownPartial.serverIndex() + " given to signer "
                    + share.serverIndex());
        }
        BigInteger n = publicKey.modulus();
        BigInteger xTilde = FullDomainHash.representative(message, n).modPow(fourDelta, n);
        return ShoupProof.prove(publicKey, share.share(), publicKey.verificationKey(share.serverIndex()), xTilde,
                ownPartial.value(), random != null ? random : nonceSource(message, ownPartial));
    }

    /** r's source for one proof: a stream seeded by H(secret, message, partial), unique per message. */
    private SecureRandom nonceSource(Bytes message, PartialSignature ownPartial) {
        CanonicalWriter w = new CanonicalWriter().utf8("redoubt/shoup-proof-nonce/v1").bytes(message);
        ownPartial.encodeTo(w);
        return SeededSecureRandom.fromSeed(Digests.sha256(proofSecret, w.toBytes()));
    }

    /** The partial signature and its proof, as one Partial_Sig message carries them (Lane 2008, Figure 3.2). */
    public ProvenPartialSignature signWithProof(Bytes message) {
        PartialSignature partial = sign(message);
        return new ProvenPartialSignature(partial, prove(message, partial));
    }
}
