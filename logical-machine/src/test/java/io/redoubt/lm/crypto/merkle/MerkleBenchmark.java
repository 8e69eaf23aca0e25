package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Median costs of the Merkle batch signature (Lane 2008, section 4.6) on this machine. Plain
 * Java, no harness: warm up, then time many samples and print the median in microseconds.
 *
 * <pre>mvn -q -o test-compile -pl logical-machine
 * java -cp logical-machine/target/classes:logical-machine/target/test-classes:$HOME/.m2/repository/org/bouncycastle/bcprov-jdk18on/1.87/bcprov-jdk18on-1.87.jar \
 *     io.redoubt.lm.crypto.merkle.MerkleBenchmark</pre>
 */
public final class MerkleBenchmark {
    private static final int MESSAGES = 64;
    private static final int MESSAGE_BYTES = 200;
    private static final int WARMUP = 3_000;
    private static final int SAMPLES = 3_000;
    private static final int SLOW_SAMPLES = 300; // for the 64-signature baseline, about 4 ms a sample
    private static volatile Object sink; // keeps results alive so the JIT cannot drop the work

    public static void main(String[] args) {
        SplittableRandom rnd = new SplittableRandom(2008);
        List<Bytes> messages = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            byte[] b = new byte[MESSAGE_BYTES];
            rnd.nextBytes(b);
            messages.add(Bytes.wrap(b));
        }
        SiteId site = SiteId.of(0);
        KeyDirectory keys = new KeyDirectory(SignatureScheme.named("ed25519"), Bytes.ofUtf8("benchmark"));
        SingleKeyLmSigner signer = new SingleKeyLmSigner(keys.scheme(), site, keys.site(site).privateKey());
        Map<SiteId, LmSignatureScheme> schemes = Map.of(site, new SingleKeyLmScheme(keys));
        MerkleBatch batch = MerkleBatch.of(messages);
        List<LmEnvelopePart> envelopes = batch.envelopes(signer.sign(batch.root()));
        LmMessageVerifier warm = new LmMessageVerifier(schemes, new VerifiedRootCache(16));
        warm.verify(site, envelopes.get(0));

        System.out.printf("Merkle batch signatures, %d messages of %d B, SHA-256 (JDK) + Ed25519 (BouncyCastle), medians%n",
                MESSAGES, MESSAGE_BYTES);
        report("build tree (64 leaves)", () -> time(() -> sink = MerkleTree.of(messages)));
        report("build tree + all 64 paths", () -> time(() -> sink = MerkleBatch.of(messages)));
        report("one path verification (hash only)", () -> time(() -> sink = MerkleTree.rootFromPath(messages.get(37), batch.path(37))));
        report("full verify, cache miss (Ed25519)", () -> {
            LmMessageVerifier cold = new LmMessageVerifier(schemes, new VerifiedRootCache(16));
            return time(() -> sink = cold.verify(site, envelopes.get(37)));
        });
        report("full verify, cache hit", () -> time(() -> sink = warm.verify(site, envelopes.get(37))));
        report("sign one root (Ed25519)", () -> time(() -> sink = signer.sign(batch.root())));
        report("sign 64 messages one by one (unbatched)", SLOW_SAMPLES, () -> time(() -> {
            for (Bytes m : messages) sink = keys.scheme().sign(keys.site(site).privateKey(), m);
        }));
    }

    private static long time(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return System.nanoTime() - start;
    }

    private static void report(String what, LongSupplier sample) {
        report(what, SAMPLES, sample);
    }

    private static void report(String what, int samples, LongSupplier sample) {
        for (int i = 0; i < Math.min(WARMUP, samples); i++) sample.getAsLong();
        long[] ns = new long[samples];
        for (int i = 0; i < samples; i++) ns[i] = sample.getAsLong();
        Arrays.sort(ns);
        System.out.printf("  %-42s %10.1f us  (%d samples)%n", what, ns[samples / 2] / 1000.0, samples);
    }
}
