package io.redoubt.runtime.storage;

import io.redoubt.lm.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How fast this machine's disk takes group commits: for 1, 10 and 100 appends per force, prints
 * appends/s, forces/s and the force latency that a host adds before each batch of sends. Not a
 * test (numbers depend on the disk); run by hand:
 *
 * <pre>java -cp ... io.redoubt.runtime.storage.DurableLogBenchmark [directory] [recordBytes] [secondsPerBatchSize]</pre>
 *
 * The directory must be on the disk that will hold data directories: on tmpfs a force costs nothing.
 */
public final class DurableLogBenchmark {
    private static final int[] RECORDS_PER_FORCE = {1, 10, 100};
    private static final int WARMUP_FORCES = 100;

    private DurableLogBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path directory = args.length > 0 ? Paths.get(args[0]) : Files.createTempDirectory("durable-log-benchmark");
        int recordBytes = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        double secondsPerBatchSize = args.length > 2 ? Double.parseDouble(args[2]) : 3.0;

        byte[] payload = new byte[recordBytes];
        new SplittableRandom(14).nextBytes(payload);
        Bytes record = Bytes.wrap(payload);
        System.out.printf("directory %s (%s), %d-byte records, %.1f s per batch size%n", directory,
                Files.getFileStore(directory).type(), recordBytes, secondsPerBatchSize);
        System.out.printf("%17s %12s %10s %15s %15s%n", "records/force", "appends/s", "forces/s", "force p50 us",
                "force p99 us");

        for (int recordsPerForce : RECORDS_PER_FORCE) {
            Path file = directory.resolve("log-" + recordsPerForce);
            Files.deleteIfExists(file);
            try (DurableLog log = DurableLog.open(file)) {
                for (int i = 0; i < WARMUP_FORCES; i++) {
                    appendAndForce(log, record, recordsPerForce);
                }
                long[] forceNanos = new long[1 << 16];
                int forces = 0;
                long startNanos = System.nanoTime();
                long endNanos = startNanos + (long) (secondsPerBatchSize * 1e9);
                long nowNanos = startNanos;
                while (nowNanos < endNanos) {
                    for (int i = 0; i < recordsPerForce; i++) {
                        log.append(record);
                    }
                    long beforeForceNanos = System.nanoTime();
                    log.force();
                    nowNanos = System.nanoTime();
                    if (forces == forceNanos.length) {
                        forceNanos = Arrays.copyOf(forceNanos, forces * 2);
                    }
                    forceNanos[forces++] = nowNanos - beforeForceNanos;
                }
                double seconds = (nowNanos - startNanos) / 1e9;
                long[] sorted = Arrays.copyOf(forceNanos, forces);
                Arrays.sort(sorted);
                System.out.printf("%17d %12.0f %10.0f %15.0f %15.0f%n", recordsPerForce,
                        forces * (double) recordsPerForce / seconds, forces / seconds,
                        sorted[forces / 2] / 1e3, sorted[(int) (forces * 0.99)] / 1e3);
            }
            Files.delete(file);
        }
    }

    private static void appendAndForce(DurableLog log, Bytes record, int recordsPerForce) throws IOException {
        for (int i = 0; i < recordsPerForce; i++) {
            log.append(record);
        }
        log.force();
    }
}
