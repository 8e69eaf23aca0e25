package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.threshold.CombineResult.Blame;
import io.redoubt.lm.crypto.threshold.CombineResult.Fault;
import io.redoubt.lm.crypto.threshold.CombineResult.Shortfall;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The combiner's half of THRESHOLD-SIGN (Lane 2008, Figure 3.10, B1-B11): checks partial
 * signatures and proofs, and combines k partials into a standard RSA signature (Shoup 2000,
 * "Combining Shares"). Holds only public data and is safe for concurrent use.
 *
 * <p>Every method that looks at partials or proofs from other servers treats them as untrusted:
 * it answers false or reports the server, and never throws because of their content.
 */
public final class ThresholdCombiner implements PartialCombiner {
    private final ThresholdPublicKey publicKey;
    private final RsaPublicKey rsaKey;
    private final BigInteger delta;
    private final BigInteger fourDelta;
    // a e' + b e = 1 with e' = 4 Delta^2 (Shoup 2000, "Combining Shares"); fixed per key, so found once.
    private final BigInteger eulerA;
    private final BigInteger eulerB;

    public ThresholdCombiner(ThresholdPublicKey publicKey) {
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        this.rsaKey = publicKey.rsaPublicKey();
        this.delta = ShoupMath.delta(publicKey.servers());
        this.fourDelta = delta.shiftLeft(2);
        BigInteger ePrime = delta.multiply(delta).shiftLeft(2);
        BigInteger e = publicKey.publicExponent();
        // gcd(e', e) = 1 because e is a prime > l ("The Dealer"), so e' has an inverse a mod e.
        this.eulerA = ePrime.modInverse(e);
        this.eulerB = BigInteger.ONE.subtract(eulerA.multiply(ePrime)).divide(e); // exact: a e' = 1 mod e
    }

    public ThresholdPublicKey publicKey() {
        return publicKey;
    }

    /**
     * VERIFY-SHARE: true iff {@code proof} shows that {@code partial} was made with the share
     * behind v_i for this message (Shoup 2000, "Generating a Signature Share"). False for an
     * index outside 1..l, a value outside 1..n-1, a malformed proof or a wrong one; never
     * throws on such input.
     */
    public boolean verifyProof(Bytes message, PartialSignature partial, CorrectnessProof proof) {
        if (message == null || partial == null || proof == null) return false;
        int i = partial.serverIndex();
        if (i < 1 || i > publicKey.servers()) return false;
        BigInteger n = publicKey.modulus();
        if (!BigIntegers.inUnitRange(partial.value(), n)) return false;
        BigInteger xTilde = FullDomainHash.representative(message, n).modPow(fourDelta, n);
        return ShoupProof.verify(publicKey, publicKey.verificationKey(i), xTilde, partial.value(), proof);
    }

    /** The plain RSA check y^e = H(M) mod n; the same check every other site makes. */
    public boolean verify(Bytes message, Bytes signature) {
        return rsaKey.verify(message, signature);
    }

    /** {@link #combine(Bytes, List, ProofSource)} with no proofs at hand. */
    public CombineResult combine(Bytes message, List<PartialSignature> partials) {
        return combine(message, partials, ProofSource.none());
    }

    /**
     * Optimistic combination, Lane 2008 Figure 3.10 and section 4.3: combine the k partials of
     * the lowest server indices and verify the result with the public key (B2-B4); proofs are
     * not looked at in this, the common, case. Only if that fails, fetch and check the proof of
     * every partial (B6-B9), blame the servers whose proofs fail, and combine k partials whose
     * proofs hold, if there are that many.
     *
     * @param partials at most one per server, each {@code serverIndex} in 1..l and taken from
     *     the authenticated sender (the caller's bookkeeping; violating this throws
     *     IllegalArgumentException). The values are untrusted.
     */
    public CombineResult combine(Bytes message, List<PartialSignature> partials, ProofSource proofs) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(proofs, "proofs");
        List<PartialSignature> sorted = sortedDistinctInRange(partials);
        BigInteger n = publicKey.modulus();
        int k = publicKey.threshold();

        List<Blame> blamed = new ArrayList<>();
        List<PartialSignature> candidates = new ArrayList<>();
        for (PartialSignature p : sorted) {
            if (BigIntegers.inUnitRange(p.value(), n)) candidates.add(p);
            else blamed.add(new Blame(p.serverIndex(), Fault.VALUE_OUT_OF_RANGE, p, null));
        }
        if (candidates.size() < k) return new CombineResult.Unsigned(Shortfall.TOO_FEW_PARTIALS, blamed, List.of(), List.of());

        BigInteger x = FullDomainHash.representative(message, n);
        List<PartialSignature> first = candidates.subList(0, k);
        Optional<Bytes> optimistic = combineAndCheck(x, message, first);
        if (optimistic.isPresent()) return new CombineResult.Signed(optimistic.get(), indices(first), blamed);

        // Figure 3.10, B5-B10: some partial was bad. The proofs tell which.
        BigInteger xTilde = x.modPow(fourDelta, n);
        List<PartialSignature> valid = new ArrayList<>();
        List<Integer> awaiting = new ArrayList<>();
        for (PartialSignature p : candidates) {
            Optional<CorrectnessProof> proof = proofs.proofFor(p.serverIndex());
            if (proof == null || proof.isEmpty()) {
                awaiting.add(p.serverIndex());
            } else if (proofs.checkedByCaller(p.serverIndex())
                    || ShoupProof.verify(publicKey, publicKey.verificationKey(p.serverIndex()), xTilde, p.value(), proof.get())) {
                valid.add(p);
            } else {
                blamed.add(new Blame(p.serverIndex(), Fault.PROOF_REJECTED, p, proof.get()));
            }
        }
        blamed.sort(Comparator.comparingInt(Blame::serverIndex));
        if (valid.size() < k) {
            Shortfall why = awaiting.isEmpty() ? Shortfall.TOO_FEW_VALID_PARTIALS : Shortfall.AWAITING_PROOFS;
            return new CombineResult.Unsigned(why, blamed, awaiting, indices(valid));
        }
        List<PartialSignature> proven = valid.subList(0, k);
        Optional<Bytes> retried = combineAndCheck(x, message, proven);
        if (retried.isPresent()) return new CombineResult.Signed(retried.get(), indices(proven), blamed);
        return new CombineResult.Unsigned(Shortfall.KEY_INCONSISTENT, blamed, awaiting, indices(valid));
    }

    /**
     * Shoup 2000, "Combining Shares", without any check: the signature that exactly k partials combine to
     * if they are all correct. Empty if some value has no inverse mod n. The result need not
     * verify; {@link #combine} is what protocols use.
     *
     * @throws IllegalArgumentException unless there are exactly k partials with distinct
     *     indices in 1..l
     */
    public Optional<Bytes> combineUnchecked(Bytes message, List<PartialSignature> partials) {
        List<PartialSignature> sorted = sortedDistinctInRange(partials);
        if (sorted.size() != publicKey.threshold()) {
            throw new IllegalArgumentException(
                    sorted.size() + " partials given; combining takes exactly k = " + publicKey.threshold());
        }
        BigInteger n = publicKey.modulus();
        return combineExactly(FullDomainHash.representative(message, n), sorted)
                .map(y -> BigIntegers.toFixedLength(y, rsaKey.signatureBytes()));
    }

    private Optional<Bytes> combineAndCheck(BigInteger x, Bytes message, List<PartialSignature> kPartials) {
        Optional<BigInteger> y = combineExactly(x, kPartials);
        if (y.isEmpty()) return Optional.empty();
        BigInteger n = publicKey.modulus();
        if (!y.get().modPow(publicKey.publicExponent(), n).equals(x)) return Optional.empty();
        return Optional.of(BigIntegers.toFixedLength(y.get(), rsaKey.signatureBytes()));
    }

    /**
     * Shoup 2000, "Combining Shares": w = prod_{j in S} x_j^{2 lambda^S_{0,j}}, so w^e = x^{e'} with e' = 4 Delta^2;
     * then y = w^a x^b with a e' + b e = 1 gives y^e = x. Negative exponents go through
     * inverses; a partial or x without one (never from correct parties) gives empty.
     */
    private Optional<BigInteger> combineExactly(BigInteger x, List<PartialSignature> kPartials) {
        BigInteger n = publicKey.modulus();
        int[] set = new int[kPartials.size()];
        for (int at = 0; at < set.length; at++) set[at] = kPartials.get(at).serverIndex();
        // Factors with negative exponents are gathered in a denominator and inverted once at the
        // end: the JDK's modInverse costs several times a small-exponent modPow, and taking one
        // per negative Lagrange coefficient and one for x was most of the combiner's time. The
        // result is the same number (y is unique mod n), and the denominator has no inverse
        // exactly when one of its factors has none.
        try {
            BigInteger numerator = BigInteger.ONE;
            BigInteger denominator = BigInteger.ONE;
            for (PartialSignature p : kPartials) {
                BigInteger exponent = ShoupMath.lagrangeAtZero(delta, set, p.serverIndex()).shiftLeft(1);
                BigInteger power = p.value().modPow(exponent.abs(), n);
                if (exponent.signum() < 0) denominator = denominator.multiply(power).mod(n);
                else numerator = numerator.multiply(power).mod(n);
            }
            // w = numerator / denominator, and y = w^a x^b with a > 0 (a is an inverse mod e).
            BigInteger top = numerator.modPow(eulerA, n);
            BigInteger bottom = denominator.modPow(eulerA, n);
            if (eulerB.signum() < 0) bottom = bottom.multiply(x.modPow(eulerB.negate(), n)).mod(n);
            else top = top.multiply(x.modPow(eulerB, n)).mod(n);
            return Optional.of(bottom.equals(BigInteger.ONE) ? top : top.multiply(bottom.modInverse(n)).mod(n));
        } catch (ArithmeticException notInvertible) {
            return Optional.empty();
        }
    }

    private List<PartialSignature> sortedDistinctInRange(List<PartialSignature> partials) {
        List<PartialSignature> sorted = new ArrayList<>(partials);
        sorted.sort(Comparator.comparingInt(PartialSignature::serverIndex));
        for (int at = 0; at < sorted.size(); at++) {
            int i = sorted.get(at).serverIndex();
            if (i < 1 || i > publicKey.servers()) {
                throw new IllegalArgumentException("partial of server " + i + "; valid: 1.." + publicKey.servers());
            }
            if (at > 0 && sorted.get(at - 1).serverIndex() == i) {
                throw new IllegalArgumentException("two partials of server " + i + "; keep one per server");
            }
        }
        return sorted;
    }

    private static List<Integer> indices(List<PartialSignature> partials) {
        List<Integer> out = new ArrayList<>(partials.size());
        for (PartialSignature p : partials) out.add(p.serverIndex());
        return out;
    }
}
