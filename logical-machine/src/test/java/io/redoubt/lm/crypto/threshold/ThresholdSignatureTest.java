package io.redoubt.lm.crypto.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.threshold.CombineResult.Blame;
import io.redoubt.lm.crypto.threshold.CombineResult.Fault;
import io.redoubt.lm.crypto.threshold.CombineResult.Shortfall;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shoup 2000 ("Practical Threshold Signatures") as THRESHOLD-SIGN uses it (Lane 2008, section
 * 2.2.3, section 4.3 and Figure 3.10): signing, proofs of correctness, optimistic combining
 * and blaming. Keys are 512-bit (fast, insecure) except in the 2048-bit end-to-end test.
 */
class ThresholdSignatureTest {

    private static final Bytes MESSAGE = Bytes.ofUtf8("Proposal(site 1, gv 3, lv 0, seq 17, update)");
    private static final Bytes OTHER_MESSAGE = Bytes.ofUtf8("Proposal(site 1, gv 3, lv 0, seq 18, update)");

    static Stream<Arguments> fDerivedShapes() {
        return Stream.of(Arguments.of(2, 4), Arguments.of(3, 7)); // (f+1, 3f+1) for f = 1, 2
    }

    static Stream<Arguments> edgeShapes() {
        return Stream.of(Arguments.of(1, 1), Arguments.of(1, 3), Arguments.of(4, 4), Arguments.of(6, 16));
    }

    // Shoup 2000, "Combining Shares": any k correct partial signatures combine to y with y^e = H(M);
    // RSA signatures are unique (e is prime to phi(n)), so every set gives the same y.
    @ParameterizedTest(name = "k={0}, l={1}")
    @MethodSource("fDerivedShapes")
    void everySetOfKPartialSignaturesCombinesToTheSameValidRsaSignature_shoupCombiningShares(int k, int l) {
        ThresholdKeyMaterial key = TestKeys.small(k, l);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        RsaPublicKey rsa = key.publicKey().rsaPublicKey();
        List<PartialSignature> all = TestKeys.partials(TestKeys.signers(key, 7), MESSAGE);

        List<List<PartialSignature>> sets = TestKeys.subsets(all, k);
        assertEquals(binomial(l, k), sets.size());
        Bytes expected = null;
        for (List<PartialSignature> set : sets) {
            CombineResult.Signed signed = assertInstanceOf(CombineResult.Signed.class, combiner.combine(MESSAGE, set));
            assertEquals(set.stream().map(PartialSignature::serverIndex).toList(), signed.signers());
            assertTrue(signed.blamed().isEmpty());
            assertEquals(Optional.of(signed.signature()), combiner.combineUnchecked(MESSAGE, set));
            if (expected == null) expected = signed.signature();
            assertEquals(expected, signed.signature(), "set " + signed.signers());
        }
        // The plain RSA check, done by hand: y^e = H(M) mod n, with y < n and |y| = |n| bytes.
        BigInteger y = new BigInteger(1, expected.unsafeArray());
        BigInteger n = key.publicKey().modulus();
        assertEquals(rsa.signatureBytes(), expected.length());
        assertEquals(FullDomainHash.representative(MESSAGE, n), y.modPow(BigInteger.valueOf(65537), n));
        assertTrue(rsa.verify(MESSAGE, expected));
        assertTrue(combiner.verify(MESSAGE, expected));
        assertFalse(rsa.verify(OTHER_MESSAGE, expected), "a signature is bound to its message");
    }

    // Shoup 2000, "Combining Shares", for the extreme shapes: k = 1 (any single server signs alone),
    // k = l (all must sign), and the paper's measured site (Lane 2008, section 4.7: l = 16, k = 6).
    @ParameterizedTest(name = "k={0}, l={1}")
    @MethodSource("edgeShapes")
    void combiningWorksForOneOfOneAllOfLAndTheMeasuredSixOfSixteen_shoupCombiningShares(int k, int l) {
        ThresholdKeyMaterial key = TestKeys.small(k, l);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        List<PartialSignature> all = TestKeys.partials(TestKeys.signers(key, 8), MESSAGE);
        CombineResult.Signed lowest = assertInstanceOf(CombineResult.Signed.class, combiner.combine(MESSAGE, all));
        CombineResult.Signed highest = assertInstanceOf(CombineResult.Signed.class,
                combiner.combine(MESSAGE, all.subList(l - k, l)));
        assertEquals(lowest.signature(), highest.signature());
        assertTrue(key.publicKey().rsaPublicKey().verify(MESSAGE, lowest.signature()));
    }

    // Lane 2008, Figure 3.10 B2-B10: the optimistic combination fails, the proofs name the one
    // server whose partial is bad, and the remaining valid partials (k of them) are combined.
    @Test
    void aPartialMultipliedByTwoFailsTheOptimisticCombineAndTheProofsBlameExactlyThatServer_figure3_10() {
        ThresholdKeyMaterial key = TestKeys.small(2, 4);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        BigInteger n = key.publicKey().modulus();
        List<ProvenPartialSignature> proven = signAllWithProofs(key, MESSAGE);
        Bytes honest = signedBy(combiner, MESSAGE, partialsOf(proven));

        // Server 1 is Byzantine: its partial is doubled, its proof is the honest one.
        List<PartialSignature> partials = new ArrayList<>(partialsOf(proven));
        PartialSignature doubled = new PartialSignature(1, partials.get(0).value().shiftLeft(1).mod(n));
        partials.set(0, doubled);
        Optional<Bytes> naive = combiner.combineUnchecked(MESSAGE, partials.subList(0, 2));
        assertTrue(naive.isPresent());
        assertFalse(combiner.verify(MESSAGE, naive.get()), "the bad partial spoils the combination");

        CombineResult result = combiner.combine(MESSAGE, partials, proofsOf(proven));
        CombineResult.Signed signed = assertInstanceOf(CombineResult.Signed.class, result);
        assertEquals(honest, signed.signature());
        assertEquals(List.of(2, 3), signed.signers());
        assertEquals(1, signed.blamed().size());
        Blame blame = signed.blamed().get(0);
        assertEquals(1, blame.serverIndex());
        assertEquals(Fault.PROOF_REJECTED, blame.fault());
        assertEquals(doubled, blame.partial());
        // The evidence convinces anyone who checks it (the Corrupted_Server message, Figure 3.2).
        assertFalse(combiner.verifyProof(MESSAGE, blame.partial(), blame.proof()));
    }

    // Lane 2008, Figure 3.10; Shoup 2000, "Generating a Signature Share" (the proof ties x_i to v_i = v^{s_i}):
    // a server that signs with another server's share is caught, whatever proof it makes.
    @Test
    void aPartialMadeWithAnotherServersShareIsBlamedOnTheServerThatSentIt_figure3_10() {
        ThresholdKeyMaterial key = TestKeys.small(3, 7);
        ThresholdPublicKey pk = key.publicKey();
        ThresholdCombiner combiner = new ThresholdCombiner(pk);
        BigInteger n = pk.modulus();
        List<ProvenPartialSignature> proven = signAllWithProofs(key, MESSAGE);

        // Server 2 signs with s_3 (which it somehow learned) and proves with s_3 against its own v_2.
        BigInteger x = FullDomainHash.representative(MESSAGE, n);
        BigInteger delta = ShoupMath.delta(7);
        BigInteger s3 = key.share(3).share();
        PartialSignature forged = new PartialSignature(2, x.modPow(delta.shiftLeft(1).multiply(s3), n));
        CorrectnessProof forgedProof = ShoupProof.prove(pk, s3, pk.verificationKey(2), x.modPow(delta.shiftLeft(2), n),
                forged.value(), SeededSecureRandom.fromSeed(99));
        // ... and a lazier variant: server 2 sends server 3's partial and proof under its own name.
        PartialSignature copied = new PartialSignature(2, proven.get(2).partial().value());

        for (var attack : List.of(Map.entry(forged, forgedProof), Map.entry(copied, proven.get(2).proof()))) {
            List<PartialSignature> partials = new ArrayList<>(partialsOf(proven));
            partials.set(1, attack.getKey());
            Map<Integer, CorrectnessProof> proofs = new TreeMap<>(proofMap(proven));
            proofs.put(2, attack.getValue());
            assertFalse(combiner.verifyProof(MESSAGE, attack.getKey(), attack.getValue()));

            CombineResult.Signed signed = assertInstanceOf(CombineResult.Signed.class,
                    combiner.combine(MESSAGE, partials, ProofSource.of(proofs)));
            assertEquals(List.of(1, 3, 4), signed.signers());
            assertEquals(List.of(2), signed.blamed().stream().map(Blame::serverIndex).toList());
            assertTrue(pk.rsaPublicKey().verify(MESSAGE, signed.signature()));
        }
    }

    // Lane 2008, Figure 3.10 B10-B11: with only k partials and one bad, the server is blamed and
    // the combiner keeps waiting; one more partial then completes the signature.
    @Test
    void withExactlyKPartialsAndOneBadTheCombinerBlamesAndWaitsForMorePartials_figure3_10() {
        ThresholdKeyMaterial key = TestKeys.small(3, 7);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        BigInteger n = key.publicKey().modulus();
        List<ProvenPartialSignature> proven = signAllWithProofs(key, MESSAGE);
        List<PartialSignature> partials = new ArrayList<>(partialsOf(proven).subList(0, 3));
        partials.set(2, new PartialSignature(3, partials.get(2).value().multiply(BigInteger.TWO).mod(n)));

        CombineResult.Unsigned waiting = assertInstanceOf(CombineResult.Unsigned.class,
                combiner.combine(MESSAGE, partials, proofsOf(proven)));
        assertEquals(Shortfall.TOO_FEW_VALID_PARTIALS, waiting.shortfall());
        assertEquals(List.of(3), waiting.blamed().stream().map(Blame::serverIndex).toList());
        assertEquals(List.of(1, 2), waiting.provenValid());
        assertTrue(waiting.awaitingProof().isEmpty());

        partials.remove(2); // blacklisted: its partials are ignored from now on (B9)
        partials.add(proven.get(5).partial());
        CombineResult.Signed signed = assertInstanceOf(CombineResult.Signed.class,
                combiner.combine(MESSAGE, partials, proofsOf(proven)));
        assertEquals(List.of(1, 2, 6), signed.signers());
    }

    // Lane 2008, section 4.3 and Figure 3.10 (B2-B4): in the common case no proof is looked at,
    // so proofs can be produced lazily; they are fetched only after a failed combination.
    @Test
    void proofsAreFetchedOnlyAfterTheOptimisticCombinationFails_section4_3() {
        ThresholdKeyMaterial key = TestKeys.small(2, 4);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        List<ThresholdSigner> signers = TestKeys.signers(key, 3);
        List<PartialSignature> partials = TestKeys.partials(signers, MESSAGE);
        AtomicInteger fetches = new AtomicInteger();
        ProofSource counting = i -> {
            fetches.incrementAndGet();
            return Optional.of(signers.get(i - 1).prove(MESSAGE, partials.get(i - 1)));
        };
        assertInstanceOf(CombineResult.Signed.class, combiner.combine(MESSAGE, partials, counting));
        assertEquals(0, fetches.get());

        List<PartialSignature> withBad = new ArrayList<>(partials);
        withBad.set(1, new PartialSignature(2, withBad.get(1).value().add(BigInteger.ONE)));
        List<PartialSignature> sent = List.copyOf(partials); // the honest signers prove what they sent
        ProofSource lazy = i -> {
            fetches.incrementAndGet();
            return Optional.of(signers.get(i - 1).prove(MESSAGE, sent.get(i - 1)));
        };
        CombineResult.Signed signed = assertInstanceOf(CombineResult.Signed.class, combiner.combine(MESSAGE, withBad, lazy));
        assertEquals(4, fetches.get(), "every partial's proof is checked once the combination failed");
        assertEquals(List.of(2), signed.blamed().stream().map(Blame::serverIndex).toList());
    }

    // Lane 2008, Figure 3.10: a server whose proof has not arrived is not blamed; the result
    // says whose proofs to request, and a later call with them completes the signature.
    @Test
    void missingProofsAreAwaitedNotBlamedAndArrivingProofsCompleteTheSignature_figure3_10() {
        ThresholdKeyMaterial key = TestKeys.small(2, 4);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        List<ProvenPartialSignature> proven = signAllWithProofs(key, MESSAGE);
        List<PartialSignature> partials = new ArrayList<>(partialsOf(proven));
        partials.set(0, new PartialSignature(1, BigInteger.valueOf(4)));

        CombineResult.Unsigned first = assertInstanceOf(CombineResult.Unsigned.class,
                combiner.combine(MESSAGE, partials, ProofSource.none()));
        assertEquals(Shortfall.AWAITING_PROOFS, first.shortfall());
        assertEquals(List.of(1, 2, 3, 4), first.awaitingProof());
        assertTrue(first.blamed().isEmpty());
        assertTrue(first.provenValid().isEmpty());

        Map<Integer, CorrectnessProof> arrived = Map.of(2, proven.get(1).proof(), 3, proven.get(2).proof());
        CombineResult.Signed signed = assertInstanceOf(CombineResult.Signed.class,
                combiner.combine(MESSAGE, partials, ProofSource.of(arrived)));
        assertEquals(List.of(2, 3), signed.signers());
        assertTrue(signed.blamed().isEmpty(), "server 1 sent no proof yet, so there is no evidence against it");
    }

    // Values outside Z_n are evidence by themselves (a correct server sends x_i in 1..n-1).
    @Test
    void partialsOutsideOneToNMinusOneAreBlamedWithoutNeedingAProof() {
        ThresholdKeyMaterial key = TestKeys.small(2, 4);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        BigInteger n = key.publicKey().modulus();
        List<PartialSignature> partials = new ArrayList<>(TestKeys.partials(TestKeys.signers(key, 1), MESSAGE));
        partials.set(0, new PartialSignature(1, BigInteger.ZERO));
        partials.set(2, new PartialSignature(3, n.add(partials.get(2).value()))); // an alias of the right value
        CombineResult.Signed signed = assertInstanceOf(CombineResult.Signed.class, combiner.combine(MESSAGE, partials));
        assertEquals(List.of(2, 4), signed.signers());
        assertEquals(List.of(1, 3), signed.blamed().stream().map(Blame::serverIndex).toList());
        for (Blame b : signed.blamed()) {
            assertEquals(Fault.VALUE_OUT_OF_RANGE, b.fault());
            assertNull(b.proof());
        }
    }

    // Shoup 2000, section 1 (fewer than k cannot sign) and Lane 2008, section 2.2.3 ("any set
    // of fewer than k servers is unable to do so"): k-1 partials are refused, and k-1 real
    // partials completed with a made-up one never give a valid signature.
    @ParameterizedTest(name = "k={0}, l={1}")
    @MethodSource("fDerivedShapes")
    void fewerThanKPartialsCannotProduceAValidSignature_section2_2_3(int k, int l) {
        ThresholdKeyMaterial key = TestKeys.small(k, l);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        BigInteger n = key.publicKey().modulus();
        List<PartialSignature> all = TestKeys.partials(TestKeys.signers(key, 5), MESSAGE);
        List<PartialSignature> tooFew = all.subList(0, k - 1);

        CombineResult.Unsigned refused = assertInstanceOf(CombineResult.Unsigned.class, combiner.combine(MESSAGE, tooFew));
        assertEquals(Shortfall.TOO_FEW_PARTIALS, refused.shortfall());
        assertThrows(IllegalArgumentException.class, () -> combiner.combineUnchecked(MESSAGE, tooFew));

        SplittableRandom rnd = new SplittableRandom(k * 31L + l);
        for (int attempt = 0; attempt < 25; attempt++) {
            List<PartialSignature> forced = new ArrayList<>(tooFew);
            BigInteger madeUp = new BigInteger(n.bitLength() + 8, new java.util.Random(rnd.nextLong())).mod(n);
            forced.add(new PartialSignature(l, madeUp));
            Optional<Bytes> y = combiner.combineUnchecked(MESSAGE, forced);
            assertTrue(y.isEmpty() || !combiner.verify(MESSAGE, y.get()), "attempt " + attempt);
            assertInstanceOf(CombineResult.Unsigned.class, combiner.combine(MESSAGE, forced));
        }
        // The same k-1 partials plus a correct partial for ANOTHER message do not help either.
        List<PartialSignature> mixed = new ArrayList<>(tooFew);
        mixed.add(TestKeys.signers(key, 5).get(l - 1).sign(OTHER_MESSAGE));
        assertFalse(combiner.verify(MESSAGE, combiner.combineUnchecked(MESSAGE, mixed).orElseThrow()));
    }

    // Shoup 2000, "Generating a Signature Share": a correct server's proof of correctness verifies.
    @ParameterizedTest(name = "k={0}, l={1}")
    @MethodSource("fDerivedShapes")
    void proofsOfCorrectServersVerify_shoupSignatureShare(int k, int l) {
        ThresholdKeyMaterial key = TestKeys.small(k, l);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        for (Bytes m : List.of(MESSAGE, OTHER_MESSAGE, Bytes.EMPTY)) {
            for (ProvenPartialSignature p : signAllWithProofs(key, m)) {
                assertTrue(combiner.verifyProof(m, p.partial(), p.proof()), "server " + p.serverIndex());
                assertTrue(p.proof().challenge().bitLength() <= ShoupProof.CHALLENGE_BITS);
                assertTrue(p.proof().response().bitLength() <= ShoupProof.responseBitsMax(key.publicKey().modulus()));
            }
        }
    }

    // Shoup 2000, "Generating a Signature Share" (soundness): changing c, z, x_i, the message, or whose proof it
    // is, makes the proof fail.
    @Test
    void tamperedChallengeResponsePartialMessageOrServerMakeTheProofFail_shoupSignatureShare() {
        ThresholdKeyMaterial key = TestKeys.small(3, 7);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        BigInteger n = key.publicKey().modulus();
        List<ProvenPartialSignature> proven = signAllWithProofs(key, MESSAGE);
        PartialSignature x2 = proven.get(1).partial();
        CorrectnessProof p2 = proven.get(1).proof();
        BigInteger c = p2.challenge();
        BigInteger z = p2.response();
        assertTrue(combiner.verifyProof(MESSAGE, x2, p2));

        List<CorrectnessProof> badProofs = List.of(
                new CorrectnessProof(c.flipBit(0), z),
                new CorrectnessProof(c.flipBit(127), z),
                new CorrectnessProof(c, z.add(BigInteger.ONE)),
                new CorrectnessProof(c, z.subtract(BigInteger.ONE)),
                new CorrectnessProof(c, z.flipBit(z.bitLength() - 1)),
                proven.get(2).proof(),
                signAllWithProofs(key, OTHER_MESSAGE).get(1).proof());
        for (CorrectnessProof bad : badProofs) assertFalse(combiner.verifyProof(MESSAGE, x2, bad), bad.toString());

        List<PartialSignature> badPartials = List.of(
                new PartialSignature(2, x2.value().shiftLeft(1).mod(n)),
                new PartialSignature(2, x2.value().add(BigInteger.ONE)),
                new PartialSignature(2, proven.get(2).partial().value()),
                new PartialSignature(3, x2.value()));
        for (PartialSignature bad : badPartials) assertFalse(combiner.verifyProof(MESSAGE, bad, p2), bad.toString());
        assertFalse(combiner.verifyProof(OTHER_MESSAGE, x2, p2), "the proof is for MESSAGE only");

        // -x_i proves and combines like x_i: only the square is determined ("Generating a Signature Share").
        PartialSignature negated = new PartialSignature(2, n.subtract(x2.value()));
        assertTrue(combiner.verifyProof(MESSAGE, negated, p2));
    }

    // Untrusted input never throws out of a verification method (STYLE.md; Lane 2008, Figure
    // 3.10 B7 runs VERIFY on whatever a possibly malicious server sent).
    @Test
    void proofVerificationRejectsGarbageWithoutThrowing() {
        ThresholdKeyMaterial key = TestKeys.small(2, 4);
        ThresholdPublicKey pk = key.publicKey();
        ThresholdCombiner combiner = new ThresholdCombiner(pk);
        BigInteger n = pk.modulus();
        ProvenPartialSignature good = signAllWithProofs(key, MESSAGE).get(0);
        BigInteger huge = BigInteger.ONE.shiftLeft(100_000);

        List<BigInteger> values = new ArrayList<>(List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO,
                n.subtract(BigInteger.ONE), n, n.add(BigInteger.ONE), n.shiftLeft(1), huge));
        List<CorrectnessProof> proofs = new ArrayList<>(List.of(
                new CorrectnessProof(BigInteger.ZERO, BigInteger.ZERO),
                new CorrectnessProof(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE), huge),
                new CorrectnessProof(good.proof().challenge(), huge),
                new CorrectnessProof(BigInteger.ZERO, n)));
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 20; i++) {
            java.util.Random r = new java.util.Random(rnd.nextLong());
            values.add(new BigInteger(rnd.nextInt(1, 1200), r));
            proofs.add(new CorrectnessProof(new BigInteger(128, r), new BigInteger(rnd.nextInt(1, 1200), r)));
        }
        for (BigInteger value : values) {
            for (int index : new int[] {1, 2, 4, 5, 100}) {
                PartialSignature partial = new PartialSignature(index, value);
                assertFalse(combiner.verifyProof(MESSAGE, partial, good.proof()));
                for (CorrectnessProof proof : proofs) assertFalse(combiner.verifyProof(MESSAGE, partial, proof));
            }
        }
        for (CorrectnessProof proof : proofs) assertFalse(combiner.verifyProof(MESSAGE, good.partial(), proof));
        assertFalse(combiner.verifyProof(MESSAGE, null, good.proof()));
        assertFalse(combiner.verifyProof(MESSAGE, good.partial(), null));
        assertFalse(combiner.verifyProof(null, good.partial(), good.proof()));
        assertTrue(combiner.verifyProof(MESSAGE, good.partial(), good.proof()));

        RsaPublicKey rsa = pk.rsaPublicKey();
        for (Bytes sig : List.of(Bytes.EMPTY, Bytes.wrap(new byte[rsa.signatureBytes()]),
                BigIntegers.toFixedLength(n, rsa.signatureBytes()), BigIntegers.toFixedLength(n.subtract(BigInteger.ONE),
                rsa.signatureBytes()), Bytes.wrap(new byte[rsa.signatureBytes() + 1]), Bytes.wrap(new byte[5000]))) {
            assertFalse(rsa.verify(MESSAGE, sig));
        }
        assertFalse(rsa.verify(null, Bytes.EMPTY));
        assertFalse(rsa.verify(MESSAGE, null));
    }

    // Shoup 2000, "Generating a Signature Share": an honest z = s_i c + r has at most |n| + 2 L1 + 1 bits. The
    // verifier refuses longer ones, so a peer cannot make it exponentiate by huge numbers; here
    // z + 2^300 m satisfies both verification equations (v and x~ have orders dividing m, which
    // this test knows because it picks the safe primes) and is still refused.
    @Test
    void responsesLongerThanAnHonestProverMakesAreRefusedEvenWhenTheEquationsHold_shoupSignatureShare() {
        BigInteger pPrime = SafePrimes.sophieGermainPrime(256, SeededSecureRandom.fromSeed(1));
        BigInteger qPrime = SafePrimes.sophieGermainPrime(256, SeededSecureRandom.fromSeed(2));
        ThresholdKeyMaterial key = ThresholdDealer.dealFromSafePrimes(new ThresholdParameters(2, 4, 512), pPrime, qPrime,
                SeededSecureRandom.fromSeed(3));
        ThresholdPublicKey pk = key.publicKey();
        BigInteger n = pk.modulus();
        ThresholdCombiner combiner = new ThresholdCombiner(pk);
        ProvenPartialSignature honest =
                new ThresholdSigner(pk, key.share(1), SeededSecureRandom.fromSeed(4)).signWithProof(MESSAGE);
        assertTrue(combiner.verifyProof(MESSAGE, honest.partial(), honest.proof()));

        BigInteger z = honest.proof().response();
        BigInteger aliasZ = z.add(pPrime.multiply(qPrime).shiftLeft(300));
        BigInteger xTilde = FullDomainHash.representative(MESSAGE, n).modPow(ShoupMath.delta(4).shiftLeft(2), n);
        assertEquals(pk.verificationBase().modPow(z, n), pk.verificationBase().modPow(aliasZ, n));
        assertEquals(xTilde.modPow(z, n), xTilde.modPow(aliasZ, n));
        assertFalse(combiner.verifyProof(MESSAGE, honest.partial(), new CorrectnessProof(honest.proof().challenge(), aliasZ)));
    }

    // STYLE.md (run a seed twice and compare): partial signatures are deterministic and proofs
    // depend only on the seeded random source, so the same seeds give byte-identical output.
    @Test
    void theSameSeedsGiveByteIdenticalPartialsProofsAndSignatures() {
        ThresholdKeyMaterial key = TestKeys.small(3, 7);
        ThresholdCombiner combiner = new ThresholdCombiner(key.publicKey());
        List<Bytes> first = new ArrayList<>();
        List<Bytes> second = new ArrayList<>();
        for (List<Bytes> run : List.of(first, second)) {
            List<ThresholdSigner> signers = TestKeys.signers(key, 77);
            for (ThresholdSigner s : signers) run.add(s.signWithProof(MESSAGE).encode());
            run.add(((CombineResult.Signed) combiner.combine(MESSAGE, TestKeys.partials(signers, MESSAGE))).signature());
        }
        assertEquals(first, second);
        List<ThresholdSigner> reseeded = TestKeys.signers(key, 78);
        assertEquals(TestKeys.partials(TestKeys.signers(key, 77), MESSAGE), TestKeys.partials(reseeded, MESSAGE),
                "partials are deterministic; only the proofs draw randomness");
        assertNotEquals(first.get(0), reseeded.get(0).signWithProof(MESSAGE).encode(), "a new seed draws a new r");
    }

    // Our own configuration is checked loudly (STYLE.md: a broken invariant of our own state
    // stops the node): a share that v_i does not commit to, or partial bookkeeping errors.
    @Test
    void misconfigurationByTheCallerThrowsIllegalArgument() {
        ThresholdKeyMaterial key = TestKeys.small(2, 4);
        ThresholdPublicKey pk = key.publicKey();
        ThresholdCombiner combiner = new ThresholdCombiner(pk);
        assertThrows(IllegalArgumentException.class,
                () -> new ThresholdSigner(pk, new KeyShare(2, key.share(3).share()), SeededSecureRandom.fromSeed(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new ThresholdSigner(pk, new KeyShare(5, key.share(3).share()), SeededSecureRandom.fromSeed(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new ThresholdSigner(TestKeys.small(3, 7).publicKey(), key.share(1), SeededSecureRandom.fromSeed(1)));
        ThresholdSigner s1 = new ThresholdSigner(pk, key.share(1), SeededSecureRandom.fromSeed(1));
        PartialSignature p1 = s1.sign(MESSAGE);
        assertThrows(IllegalArgumentException.class, () -> s1.prove(MESSAGE, new PartialSignature(2, p1.value())));
        assertThrows(IllegalArgumentException.class, () -> combiner.combine(MESSAGE, List.of(p1, p1)));
        assertThrows(IllegalArgumentException.class,
                () -> combiner.combine(MESSAGE, List.of(p1, new PartialSignature(5, p1.value()))));
    }

    // Lane 2008, section 4.2 (an (f+1, 3f+1) threshold signature per Byzantine site) at the
    // production key size: deal a 2048-bit key, sign with proofs, check every proof, combine,
    // survive a bad partial, and verify as a remote site would, from the encoded (n, e) alone.
    @Test
    void aTwoThousandFortyEightBitKeyDealsSignsCombinesAndVerifiesEndToEnd_section4_2() throws Exception {
        ThresholdKeyMaterial key = ThresholdDealer.deal(ThresholdParameters.forFaults(1), SeededSecureRandom.fromSeed(2048));
        ThresholdPublicKey pk = ThresholdPublicKey.decode(key.publicKey().encode());
        assertEquals(2048, pk.modulus().bitLength());
        ThresholdCombiner combiner = new ThresholdCombiner(pk);

        List<ProvenPartialSignature> proven = new ArrayList<>();
        for (KeyShare share : key.shares()) {
            KeyShare stored = KeyShare.decode(share.encode());
            ThresholdSigner signer = new ThresholdSigner(pk, stored, SeededSecureRandom.fromSeed(share.serverIndex()));
            proven.add(ProvenPartialSignature.decode(signer.signWithProof(MESSAGE).encode()));
        }
        for (ProvenPartialSignature p : proven) assertTrue(combiner.verifyProof(MESSAGE, p.partial(), p.proof()));

        RsaPublicKey remote = RsaPublicKey.decode(pk.rsaPublicKey().encode());
        Bytes expected = null;
        for (List<PartialSignature> pair : TestKeys.subsets(partialsOf(proven), 2)) {
            Bytes y = assertInstanceOf(CombineResult.Signed.class, combiner.combine(MESSAGE, pair)).signature();
            assertEquals(256, y.length());
            assertTrue(remote.verify(MESSAGE, y));
            assertFalse(remote.verify(OTHER_MESSAGE, y));
            if (expected == null) expected = y;
            assertEquals(expected, y);
        }

        List<PartialSignature> withBad = new ArrayList<>(partialsOf(proven));
        withBad.set(0, new PartialSignature(1, withBad.get(0).value().shiftLeft(1).mod(pk.modulus())));
        CombineResult.Signed signed = assertInstanceOf(CombineResult.Signed.class,
                combiner.combine(MESSAGE, withBad, proofsOf(proven)));
        assertEquals(expected, signed.signature());
        assertEquals(List.of(1), signed.blamed().stream().map(Blame::serverIndex).toList());
    }

    private static List<ProvenPartialSignature> signAllWithProofs(ThresholdKeyMaterial key, Bytes message) {
        List<ProvenPartialSignature> out = new ArrayList<>();
        for (ThresholdSigner s : TestKeys.signers(key, 21)) out.add(s.signWithProof(message));
        return out;
    }

    private static List<PartialSignature> partialsOf(List<ProvenPartialSignature> proven) {
        return proven.stream().map(ProvenPartialSignature::partial).toList();
    }

    private static Map<Integer, CorrectnessProof> proofMap(List<ProvenPartialSignature> proven) {
        Map<Integer, CorrectnessProof> out = new TreeMap<>();
        for (ProvenPartialSignature p : proven) out.put(p.serverIndex(), p.proof());
        return out;
    }

    private static ProofSource proofsOf(List<ProvenPartialSignature> proven) {
        return ProofSource.of(proofMap(proven));
    }

    private static Bytes signedBy(ThresholdCombiner combiner, Bytes message, List<PartialSignature> partials) {
        return assertInstanceOf(CombineResult.Signed.class, combiner.combine(message, partials)).signature();
    }

    private static long binomial(int n, int k) {
        long r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }
}
