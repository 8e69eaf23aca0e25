package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.crypto.merkle.ThresholdLmScheme;
import io.redoubt.lm.crypto.threshold.CombineResult;
import io.redoubt.lm.crypto.threshold.CorrectnessProof;
import io.redoubt.lm.crypto.threshold.PartialCombiner;
import io.redoubt.lm.crypto.threshold.PartialSignature;
import io.redoubt.lm.crypto.threshold.PartialSigner;
import io.redoubt.lm.crypto.threshold.ProofSource;
import io.redoubt.lm.crypto.threshold.SeededSecureRandom;
import io.redoubt.lm.crypto.threshold.ThresholdDealer;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.crypto.threshold.ThresholdPublicKey;
import io.redoubt.lm.crypto.threshold.ThresholdSigner;
import io.redoubt.lm.crypto.threshold.ThresholdCombiner;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.lm.sign.SiteSigning;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's threshold-RSA dealer: one key per site and parameter set (k, l, modulus bits),
 * dealt from a fixed secret once per process and shared by every run, instead of a key per seed.
 * Finding safe primes cost every seed of a Byzantine campaign about as much as a tenth of its run.
 *
 * <p>Nothing the campaigns check depends on which key a site holds: the adversaries never learn a
 * correct server's share (faulty servers hold only their own, whatever the key), and forging is
 * assumed impossible rather than tried. What varies from seed to seed (faults, adversaries,
 * schedules, every signed message) still does; the RSA arithmetic itself is tested with many keys
 * in logical-machine's threshold tests. A seed still reproduces its run exactly.
 */
class SharedThresholdKeys implements LmKeyring.Dealer {
    static final SharedThresholdKeys INSTANCE = new SharedThresholdKeys() {
        // Shoup threshold RSA, as a deployment signs and checks, with each operation's CPU timed
        // for the cost summary (CryptoCpu; off unless a runner starts it).
        @Override
        public LmSignatureScheme verifier(SiteId site, ThresholdKeyMaterial material) {
            LmSignatureScheme rsa = new ThresholdLmScheme(site, material.publicKey());
            return new LmSignatureScheme() {
                @Override
                public String name() {
                    return rsa.name();
                }

                @Override
                public boolean verify(SiteId signer, Bytes rootContent, Bytes signature) {
                    return CryptoCpu.timeCheck(CryptoCpu.Kind.LM_SIGNATURE_CHECK, () -> rsa.verify(signer, rootContent, signature));
                }
            };
        }

        @Override
        public SiteSigning.Shared signing(ServerId server, ThresholdKeyMaterial material, LmSignatureScheme verifier, SecureRandom proofRandom) {
            ThresholdPublicKey key = material.publicKey();
            PartialSigner rsa = new ThresholdSigner(key, material.share(server.index() + 1), proofRandom);
            PartialCombiner combiner = new ThresholdCombiner(key);
            PartialSigner timedSigner = new PartialSigner() {
                @Override
                public int serverIndex() {
                    return rsa.serverIndex();
                }

                @Override
                public PartialSignature sign(Bytes message) {
                    return CryptoCpu.time(CryptoCpu.Kind.THRESHOLD_PARTIAL, () -> rsa.sign(message));
                }

                @Override
                public CorrectnessProof prove(Bytes message, PartialSignature ownPartial) {
                    return CryptoCpu.time(CryptoCpu.Kind.THRESHOLD_PROOF, () -> rsa.prove(message, ownPartial));
                }
            };
            PartialCombiner timedCombiner = new PartialCombiner() {
                @Override
                public boolean verifyProof(Bytes message, PartialSignature partial, CorrectnessProof proof) {
                    return CryptoCpu.timeCheck(CryptoCpu.Kind.THRESHOLD_PROOF_CHECK, () -> combiner.verifyProof(message, partial, proof));
                }

                @Override
                public CombineResult combine(Bytes message, List<PartialSignature> partials, ProofSource proofs) {
                    return CryptoCpu.time(CryptoCpu.Kind.THRESHOLD_COMBINE, () -> combiner.combine(message, partials, proofs));
                }
            };
            return new SiteSigning.Threshold(verifier, server.site(), key.threshold(), key.servers(), timedSigner, timedCombiner);
        }
    };

    /**
     * With simulated signatures: sites sign with {@link SimulatedThreshold} instead of threshold
     * RSA (its class comment says why the campaigns lose nothing); {@code --signatures ed25519}
     * runs real threshold RSA. The dealt keys still fix each site's k and l.
     */
    static final SharedThresholdKeys STAND_IN = new SharedThresholdKeys() {
        @Override
        public LmSignatureScheme verifier(SiteId site, ThresholdKeyMaterial material) {
            return new SimulatedThreshold(site, material.publicKey().threshold(), material.publicKey().servers());
        }

        @Override
        public SiteSigning.Shared signing(ServerId server, ThresholdKeyMaterial material, LmSignatureScheme verifier, SecureRandom proofRandom) {
            SimulatedThreshold t = (SimulatedThreshold) verifier;
            return new SiteSigning.Threshold(t, t.site(), t.threshold(), t.servers(), t.signer(server.index() + 1), t);
        }
    };

    private record Key(SiteId site, ThresholdParameters parameters) {}

    // Shared by both instances: the stand-in deals the same keys.
    private static final ConcurrentHashMap<Key, ThresholdKeyMaterial> dealt = new ConcurrentHashMap<>();

    private SharedThresholdKeys() {}

    @Override
    public ThresholdKeyMaterial deal(SiteId site, ThresholdParameters parameters) {
        return dealt.computeIfAbsent(new Key(site, parameters), SharedThresholdKeys::dealNow);
    }

    private static ThresholdKeyMaterial dealNow(Key key) {
        ThresholdParameters p = key.parameters();
        String label = "redoubt simulator threshold key/" + key.site() + "/k=" + p.threshold() + "/l=" + p.servers() + "/bits=" + p.modulusBits();
        var random = SeededSecureRandom.fromSeed(Digests.sha256(Bytes.wrap(label.getBytes(StandardCharsets.UTF_8))));
        return p.insecure() ? ThresholdDealer.dealInsecureForTests(p, random) : ThresholdDealer.deal(p, random);
    }
}
