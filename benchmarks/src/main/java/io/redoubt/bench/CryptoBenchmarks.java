package io.redoubt.bench;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Ed25519Scheme;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.crypto.merkle.MerklePath;
import io.redoubt.lm.crypto.merkle.MerkleTree;
import io.redoubt.lm.crypto.threshold.CombineResult;
import io.redoubt.lm.crypto.threshold.CorrectnessProof;
import io.redoubt.lm.crypto.threshold.PartialSignature;
import io.redoubt.lm.crypto.threshold.SeededSecureRandom;
import io.redoubt.lm.crypto.threshold.ThresholdCombiner;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.crypto.threshold.ThresholdSigner;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What one cryptographic operation costs, in microseconds: the numbers behind "CPU per ordered
 * update". An update pays client-signature checks, a share of a PBFT round's Ed25519 signatures,
 * and a share of one LM signature: at a Byzantine site a threshold partial with its proof at
 * every server, f+1 proof checks and one combination at the combiner, one RSA verification at
 * each receiving server (Lane 2008, section 4.2), and a Merkle path when one signature covers a
 * batch of messages (section 4.7).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CryptoBenchmarks {
    /** f of a Byzantine site: 3f+1 servers, f+1 partials to combine. */
    @Param({"1"})
    public int f;

    /** Modulus bits of the site's threshold key; 2048 is what deployments deal. */
    @Param({"2048"})
    public int modulusBits;

    /** Messages one LM signature covers (the leaves of its Merkle tree). */
    @Param({"64"})
    public int batch;

    private Bytes message;
    private KeyPair ed25519;
    private Bytes ed25519Signature;
    private ThresholdSigner signer;
    private ThresholdCombiner combiner;
    private PartialSignature partial;
    private CorrectnessProof proof;
    private List<PartialSignature> quorumOfPartials;
    private Bytes combined;
    private List<Bytes> leaves;
    private MerklePath path;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] m = new byte[200];
        for (int i = 0; i < m.length; i++) m[i] = (byte) random.nextInt(256);
        message = Bytes.wrap(m);

        byte[] seed = new byte[32];
        for (int i = 0; i < seed.length; i++) seed[i] = (byte) random.nextInt(256);
        ed25519 = Ed25519Scheme.INSTANCE.generate(Bytes.wrap(seed));
        ed25519Signature = Ed25519Scheme.INSTANCE.sign(ed25519.privateKey(), message);

        ThresholdKeyMaterial keys = ThresholdKeys.dealtOnce(new ThresholdParameters(f + 1, 3 * f + 1, modulusBits));
        combiner = new ThresholdCombiner(keys.publicKey());
        List<ThresholdSigner> signers = new ArrayList<>();
        for (int i = 1; i <= keys.publicKey().servers(); i++) {
            signers.add(new ThresholdSigner(keys.publicKey(), keys.share(i), SeededSecureRandom.fromSeed(i)));
        }
        signer = signers.get(0);
        partial = signer.sign(message);
        proof = signer.prove(message, partial);
        quorumOfPartials = new ArrayList<>();
        for (int i = 0; i < keys.publicKey().threshold(); i++) quorumOfPartials.add(signers.get(i).sign(message));
        combined = ((CombineResult.Signed) combiner.combine(message, quorumOfPartials)).signature();
        if (!combiner.verify(message, combined)) throw new IllegalStateException("the dealt key does not verify its own signature");

        leaves = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            byte[] leaf = new byte[200];
            for (int j = 0; j < leaf.length; j++) leaf[j] = (byte) random.nextInt(256);
            leaves.add(Bytes.wrap(leaf));
        }
        path = MerkleTree.of(leaves).path(batch / 2);
    }

    @Benchmark
    public Bytes ed25519Sign() {
        return Ed25519Scheme.INSTANCE.sign(ed25519.privateKey(), message);
    }

    @Benchmark
    public boolean ed25519Verify() {
        return Ed25519Scheme.INSTANCE.verify(ed25519.publicKey(), message, ed25519Signature);
    }

    /** One server's share of an LM signature, without the proof (Shoup 2000, "Generating a Signature Share"). */
    @Benchmark
    public PartialSignature thresholdPartial() {
        return signer.sign(message);
    }

    /** The proof that a share is correct, which lets a combiner skip a faulty server's share. */
    @Benchmark
    public CorrectnessProof thresholdProof() {
        return signer.prove(message, partial);
    }

    @Benchmark
    public boolean thresholdProofVerify() {
        return combiner.verifyProof(message, partial, proof);
    }

    /** f+1 shares into one RSA signature, checked against the public key before it is used. */
    @Benchmark
    public CombineResult thresholdCombine() {
        return combiner.combine(message, quorumOfPartials);
    }

    /** What every receiving server pays per LM signature: one public-exponent RSA verification. */
    @Benchmark
    public boolean thresholdSignatureVerify() {
        return combiner.verify(message, combined);
    }

    /** Builds the tree over one batch: the signer's cost for covering {@code batch} messages with one signature. */
    @Benchmark
    public Bytes merkleBuild() {
        return MerkleTree.of(leaves).root();
    }

    /** A receiver's cost to tie one message to the signed root. */
    @Benchmark
    public Bytes merklePathCheck() {
        return MerkleTree.rootFromPath(leaves.get(batch / 2), path);
    }
}
