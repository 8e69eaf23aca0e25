package io.redoubt.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Thread CPU time spent in each kind of cryptography, on the calling thread, for a runner that
 * asks (issue 16: "count costs per update; a profile beats a guess"). A sampling profiler cannot
 * give this: JFR drops the samples that land in the JIT's intrinsic machine code, which is where
 * BigInteger.modPow spends a threshold partial, so a JFR profile of bft/bft showed threshold RSA
 * at a few percent of the CPU where it takes almost half.
 *
 * <p>One simulated run executes on one thread, so a per-thread tally is the run's tally. It only
 * observes: nothing the simulation decides reads it. It is off (one thread-local read per
 * operation) until {@link #start()}, since with the signature stand-in the two clock reads would
 * cost as much as the operations they time. Time is exclusive: an operation timed inside another
 * is charged to the inner kind only, so no time is counted twice whatever wraps what.
 */
public final class CryptoCpu {
    /** What the time went to. */
    public enum Kind {
        THRESHOLD_PARTIAL("threshold partials"),
        THRESHOLD_PROOF("threshold proofs"),
        THRESHOLD_PROOF_CHECK("threshold proof checks"),
        THRESHOLD_COMBINE("threshold combining"),
        LM_SIGNATURE_CHECK("LM signature checks"),
        SIGN("ordinary signatures"),
        VERIFY("ordinary verifications");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final int KINDS = Kind.values().length;
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** Per thread: nanoseconds by kind, operations by kind, and the nested time of the operation in progress; null when off. */
    private static final ThreadLocal<Tally> TALLY = new ThreadLocal<>();

    private static final class Tally {
        /** The thread's CPU clock; a test may hand in its own, to check the accounting without timing anything. */
        final java.util.function.LongSupplier clock;
        final long[] nanos = new long[KINDS];
        final long[] operations = new long[KINDS];
        long nested;

        Tally(java.util.function.LongSupplier clock) {
            this.clock = clock;
        }
    }

    private CryptoCpu() {}

    /** Starts (or restarts, from zero) the calling thread's tally. */
    public static void start() {
        if (!MX.isCurrentThreadCpuTimeSupported()) return; // stays off: no row is better than a wrong one
        TALLY.set(new Tally(MX::getCurrentThreadCpuTime));
    }

    /** Starts the calling thread's tally on {@code clock} instead of its CPU clock (tests of the accounting). */
    static void startWithClock(java.util.function.LongSupplier clock) {
        TALLY.set(new Tally(clock));
    }

    /** Stops the calling thread's tally. */
    public static void stop() {
        TALLY.remove();
    }

    /** The calling thread's tally so far, or null if it is off. */
    public static Snapshot snapshot() {
        Tally t = TALLY.get();
        return t == null ? null : new Snapshot(t.nanos.clone(), t.operations.clone());
    }

    static <T> T time(Kind kind, Supplier<T> operation) {
        Tally t = TALLY.get();
        if (t == null) return operation.get();
        long savedNested = t.nested;
        t.nested = 0;
        long t0 = t.clock.getAsLong();
        try {
            return operation.get();
        } finally {
            long spent = t.clock.getAsLong() - t0;
            t.nanos[kind.ordinal()] += spent - t.nested;
            t.operations[kind.ordinal()]++;
            t.nested = savedNested + spent;
        }
    }

    static boolean timeCheck(Kind kind, BooleanSupplier check) {
        return time(kind, check::getAsBoolean);
    }

    /** Nanoseconds and operations by {@link Kind} ordinal. */
    public record Snapshot(long[] nanos, long[] operations) {
        public static Snapshot zero() {
            return new Snapshot(new long[KINDS], new long[KINDS]);
        }

        public Snapshot plus(Snapshot o) {
            if (o == null) return this;
            long[] n = nanos.clone(), ops = operations.clone();
            for (int k = 0; k < KINDS; k++) {
                n[k] += o.nanos[k];
                ops[k] += o.operations[k];
            }
            return new Snapshot(n, ops);
        }

        public Snapshot minus(Snapshot o) {
            if (o == null) return this;
            long[] n = nanos.clone(), ops = operations.clone();
            for (int k = 0; k < KINDS; k++) {
                n[k] -= o.nanos[k];
                ops[k] -= o.operations[k];
            }
            return new Snapshot(n, ops);
        }

        public long nanos(Kind kind) {
            return nanos[kind.ordinal()];
        }

        public long operations(Kind kind) {
            return operations[kind.ordinal()];
        }

        public long totalNanos() {
            long sum = 0;
            for (long n : nanos) sum += n;
            return sum;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("CryptoCpu[");
            for (Kind k : Kind.values()) b.append(k).append('=').append(operations(k)).append('/').append(nanos(k) / 1000).append("us ");
            return b.append(']').toString();
        }

        /** Microseconds per operation of {@code kind}, as text ("-" if none ran). */
        public String meanMicros(Kind kind) {
            long ops = operations(kind);
            return ops == 0 ? "-" : String.format(Locale.ROOT, "%.0f us", nanos(kind) / 1e3 / ops);
        }
    }
}
