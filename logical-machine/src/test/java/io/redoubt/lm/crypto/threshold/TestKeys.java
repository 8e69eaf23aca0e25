package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Small seeded keys shared by the tests of this package; each is dealt once per JVM. */
final class TestKeys {
    private static final ConcurrentHashMap<String, ThresholdKeyMaterial> CACHE = new ConcurrentHashMap<>();

    private TestKeys() {}

    /** A k-of-l key with a 512-bit modulus (256-bit safe primes): fast, insecure, tests only. */
    static ThresholdKeyMaterial small(int threshold, int servers) {
        return dealt(threshold, servers, ThresholdParameters.MODULUS_BITS_MIN_FOR_TESTS, 1000L * servers + threshold);
    }

    static ThresholdKeyMaterial dealt(int threshold, int servers, int modulusBits, long seed) {
        return CACHE.computeIfAbsent(threshold + "/" + servers + "/" + modulusBits + "/" + seed,
                key -> ThresholdDealer.dealInsecureForTests(new ThresholdParameters(threshold, servers, modulusBits),
                        SeededSecureRandom.fromSeed(seed)));
    }

    /** One signer per server, 1..l at positions 0..l-1, with proof randomness from {@code seed}. */
    static List<ThresholdSigner> signers(ThresholdKeyMaterial key, long seed) {
        List<ThresholdSigner> out = new ArrayList<>();
        for (KeyShare s : key.shares()) {
            out.add(new ThresholdSigner(key.publicKey(), s, SeededSecureRandom.fromSeed(seed + s.serverIndex())));
        }
        return out;
    }

    static List<PartialSignature> partials(List<ThresholdSigner> signers, Bytes message) {
        List<PartialSignature> out = new ArrayList<>();
        for (ThresholdSigner s : signers) out.add(s.sign(message));
        return out;
    }

    /** All k-element subsets of {@code items}, in lexicographic order. */
    static <T> List<List<T>> subsets(List<T> items, int k) {
        List<List<T>> out = new ArrayList<>();
        collect(items, k, 0, new ArrayList<>(), out);
        return out;
    }

    private static <T> void collect(List<T> items, int k, int from, List<T> chosen, List<List<T>> out) {
        if (chosen.size() == k) {
            out.add(List.copyOf(chosen));
            return;
        }
        for (int i = from; i <= items.size() - (k - chosen.size()); i++) {
            chosen.add(items.get(i));
            collect(items, k, i + 1, chosen, out);
            chosen.remove(chosen.size() - 1);
        }
    }
}
