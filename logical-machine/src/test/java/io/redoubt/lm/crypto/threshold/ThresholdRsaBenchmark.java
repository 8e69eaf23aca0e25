package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * CPU cost of Shoup threshold RSA with 2048-bit keys, for the two site shapes of interest:
 * f = 1 (k = 2 of l = 4) and the paper's measured site (k = 6 of l = 16; Lane 2008, section
 * 4.7 reports 3.9 ms for a 1024-bit partial signature with proof and 3.4 ms to combine, on a
 * 2008 3.2 GHz Xeon), plus
 * how long the dealer takes for 1024- and 2048-bit moduli. Not a JUnit test: run it by hand,
 *
 * <pre>
 * mvn -q -o test-compile -pl logical-machine
 * java -cp logical-machine/target/classes:logical-machine/target/test-classes:$HOME/.m2/repository/org/bouncycastle/bcprov-jdk18on/1.87/bcprov-jdk18on-1.87.jar \
 *     io.redoubt.lm.crypto.threshold.ThresholdRsaBenchmark
 * </pre>
 *
 * Each operation is warmed up, then timed one call at a time in CPU time of the calling thread
 * (ThreadMXBean), so other load on the machine does not count; the table shows median and p90.
 */
public final class ThresholdRsaBenchmark {
    private static final int WARMUP_CALLS = 40;
    private static final int KEYGEN_RUNS = 20;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThresholdRsaBenchmark() {}

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        SecureRandom random = new SecureRandom(); // a real source: this is how production deals
        System.out.printf("java %s, %s, %d cpus%n%n", System.getProperty("java.version"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());

        System.out.println("dealer (safe primes, shares, verification keys), wall time per key, " + KEYGEN_RUNS + " keys each:");
        for (int bits : new int[] {1024, 2048}) {
            double[] seconds = new double[KEYGEN_RUNS];
            for (int run = 0; run < KEYGEN_RUNS; run++) {
                long start = System.nanoTime();
                ThresholdDealer.dealInsecureForTests(new ThresholdParameters(2, 4, bits), random);
                seconds[run] = (System.nanoTime() - start) / 1e9;
            }
            Arrays.sort(seconds);
            System.out.printf("  %4d-bit modulus: median %.2f s, p90 %.2f s, min %.2f s, max %.2f s%n", bits,
                    percentile(seconds, 50), percentile(seconds, 90), seconds[0], seconds[seconds.length - 1]);
        }
        System.out.println();

        // One pair of 1024-bit safe primes serves both shapes: only the sharing differs.
        BigInteger pPrime = SafePrimes.sophieGermainPrime(1024, random);
        BigInteger qPrime;
        do {
            qPrime = SafePrimes.sophieGermainPrime(1024, random);
        } while (qPrime.equals(pPrime));

        System.out.printf("%-52s %10s %10s%n", "operation (2048-bit n), CPU us per call", "median", "p90");
        for (int[] shape : new int[][] {{2, 4}, {6, 16}}) {
            ThresholdKeyMaterial key = ThresholdDealer.dealFromSafePrimes(
                    new ThresholdParameters(shape[0], shape[1], 2048), pPrime, qPrime, random);
            runShape(key, samples);
        }
    }

    private static void runShape(ThresholdKeyMaterial key, int samples) {
        ThresholdPublicKey pk = key.publicKey();
        int k = pk.threshold();
        int l = pk.servers();
        List<ThresholdSigner> signers = new ArrayList<>();
        for (KeyShare s : key.shares()) signers.add(new ThresholdSigner(pk, s, new SecureRandom()));
        ThresholdCombiner combiner = new ThresholdCombiner(pk);
        RsaPublicKey rsa = pk.rsaPublicKey();
        ThresholdSigner signer = signers.get(0);

        // Inputs prepared up front so that each timed call does one operation on a fresh message.
        int inputs = WARMUP_CALLS + samples;
        List<Bytes> messages = new ArrayList<>();
        List<ProvenPartialSignature> proven = new ArrayList<>();
        List<List<PartialSignature>> kPartials = new ArrayList<>();
        List<Bytes> signatures = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            Bytes m = Bytes.ofUtf8("wide-area message " + i + " of shape " + k + "/" + l);
            messages.add(m);
            proven.add(signer.signWithProof(m));
            List<PartialSignature> partials = new ArrayList<>();
            for (ThresholdSigner s : signers.subList(0, k)) partials.add(s.sign(m));
            kPartials.add(partials);
            signatures.add(((CombineResult.Signed) combiner.combine(m, partials)).signature());
        }

        String shape = "k=" + k + ", l=" + l;
        row(shape + ": partial signature", samples, i -> signer.sign(messages.get(i)));
        row(shape + ": partial signature with proof", samples, i -> signer.signWithProof(messages.get(i)));
        row(shape + ": proof verification", samples, i -> check(combiner.verifyProof(messages.get(i),
                proven.get(i).partial(), proven.get(i).proof())));
        row(shape + ": combine k partials (optimistic, verified)", samples,
                i -> check(combiner.combine(messages.get(i), kPartials.get(i)) instanceof CombineResult.Signed));
        row(shape + ": RSA verify", samples, i -> check(rsa.verify(messages.get(i), signatures.get(i))));

        // The rare path of Figure 3.10 (B5-B10): k+1 partials, one bad, so every proof is checked.
        List<Bytes> few = messages.subList(0, Math.min(messages.size(), 10 + 20));
        List<List<PartialSignature>> withBad = new ArrayList<>();
        List<ProofSource> proofSources = new ArrayList<>();
        for (Bytes m : few) {
            List<PartialSignature> partials = new ArrayList<>();
            java.util.Map<Integer, CorrectnessProof> proofs = new java.util.TreeMap<>();
            for (ThresholdSigner s : signers.subList(0, k + 1)) {
                ProvenPartialSignature p = s.signWithProof(m);
                partials.add(p.partial());
                proofs.put(p.serverIndex(), p.proof());
            }
            partials.set(0, new PartialSignature(1, partials.get(0).value().shiftLeft(1).mod(pk.modulus())));
            withBad.add(partials);
            proofSources.add(ProofSource.of(proofs));
        }
        rowWithWarmup(shape + ": combine, 1 bad of k+1 (proofs checked)", 10, few.size() - 10,
                i -> check(combiner.combine(few.get(i), withBad.get(i), proofSources.get(i)) instanceof CombineResult.Signed));
        System.out.println();
    }

    private static void row(String name, int samples, IntConsumer call) {
        rowWithWarmup(name, WARMUP_CALLS, samples, call);
    }

    private static void rowWithWarmup(String name, int warmup, int samples, IntConsumer call) {
        for (int i = 0; i < warmup; i++) call.accept(i);
        double[] micros = new double[samples];
        for (int i = 0; i < samples; i++) {
            long start = THREADS.getCurrentThreadCpuTime();
            call.accept(warmup + i);
            micros[i] = (THREADS.getCurrentThreadCpuTime() - start) / 1e3;
        }
        Arrays.sort(micros);
        System.out.printf("%-52s %10.0f %10.0f%n", name, percentile(micros, 50), percentile(micros, 90));
    }

    private static void check(boolean ok) {
        if (!ok) throw new IllegalStateException("benchmark operation failed");
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
