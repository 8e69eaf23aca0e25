package io.redoubt.bench;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.threshold.KeyShare;
import io.redoubt.lm.crypto.threshold.SeededSecureRandom;
import io.redoubt.lm.crypto.threshold.ThresholdDealer;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.crypto.threshold.ThresholdPublicKey;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A site's threshold-RSA key for the benchmarks, dealt once and kept in {@code target/}: JMH runs
 * each benchmark in a fresh JVM, and finding two 1024-bit safe primes takes far longer than
 * anything measured here. Seeded, so every run measures the same key.
 */
final class ThresholdKeys {
    private ThresholdKeys() {}

    static ThresholdKeyMaterial dealtOnce(ThresholdParameters parameters) {
        Path cache = Path.of(System.getProperty("redoubt.bench.cache", "benchmarks/target"))
                .resolve("threshold-" + parameters.threshold() + "-of-" + parameters.servers() + "-" + parameters.modulusBits() + ".key");
        if (Files.isReadable(cache)) {
            try (DataInputStream in = new DataInputStream(Files.newInputStream(cache))) {
                ThresholdPublicKey publicKey = ThresholdPublicKey.decode(read(in));
                List<KeyShare> shares = new ArrayList<>();
                for (int i = 0; i < parameters.servers(); i++) shares.add(KeyShare.decode(read(in)));
                return new ThresholdKeyMaterial(publicKey, shares);
            } catch (IOException | DecodeException | RuntimeException e) {
                System.err.println("bench: ignoring unreadable key cache " + cache + ": " + e);
            }
        }
        ThresholdKeyMaterial dealt = ThresholdDealer.deal(parameters, SeededSecureRandom.fromSeed(2008));
        try {
            Files.createDirectories(cache.toAbsolutePath().getParent());
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(cache))) {
                write(out, dealt.publicKey().encode());
                for (KeyShare s : dealt.shares()) write(out, s.encode());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache the dealt key in " + cache, e);
        }
        return dealt;
    }

    private static Bytes read(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return Bytes.wrap(b);
    }

    private static void write(DataOutputStream out, Bytes b) throws IOException {
        out.writeInt(b.length());
        out.write(b.unsafeArray());
    }
}
