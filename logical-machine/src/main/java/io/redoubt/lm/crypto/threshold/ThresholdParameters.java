package io.redoubt.lm.crypto.threshold;

/**
 * The shape of one site's threshold RSA key: any {@code threshold} (k) of the {@code servers}
 * (l) servers can sign, fewer cannot (Shoup 2000, section 1). A Byzantine site of 3f+1 servers
 * uses k = f+1, l = 3f+1 (Lane 2008, section 4.2).
 *
 * <p>{@code modulusBits} below {@link #MODULUS_BITS_MIN} are accepted here so that tests can
 * use small, fast keys, but {@link ThresholdDealer#deal} refuses them; only
 * {@link ThresholdDealer#dealInsecureForTests} deals such keys.
 */
public record ThresholdParameters(int threshold, int servers, int modulusBits) {
    /** The smallest modulus the production dealer produces. */
    public static final int MODULUS_BITS_MIN = 2048;
    /** The smallest modulus at all: 256-bit safe primes, fast enough for unit tests, insecure. */
    public static final int MODULUS_BITS_MIN_FOR_TESTS = 512;
    /** Bounds every decoded integer; 8192-bit moduli are far beyond any deployment. */
    public static final int MODULUS_BITS_MAX = 8192;
    public static final int MODULUS_BITS_DEFAULT = 2048;
    /**
     * Bounds l. Delta = l! enters every partial signature's exponent (Shoup 2000, "Generating a Signature Share"), so
     * l = 128 already adds ~720 bits to it; sites are far smaller (the paper measures l = 16).
     */
    public static final int SERVERS_MAX = 128;

    public ThresholdParameters {
        if (servers < 1 || servers > SERVERS_MAX) {
            throw new IllegalArgumentException("servers (l) = " + servers + "; valid: 1.." + SERVERS_MAX);
        }
        if (threshold < 1 || threshold > servers) {
            throw new IllegalArgumentException("threshold (k) = " + threshold + "; valid: 1..servers (" + servers + ")");
        }
        if (modulusBits < MODULUS_BITS_MIN_FOR_TESTS || modulusBits > MODULUS_BITS_MAX || modulusBits % 2 != 0) {
            throw new IllegalArgumentException("modulusBits = " + modulusBits + "; valid: an even number in "
                    + MODULUS_BITS_MIN_FOR_TESTS + ".." + MODULUS_BITS_MAX + " (at least " + MODULUS_BITS_MIN
                    + " outside tests)");
        }
    }

    /** k of l with the default 2048-bit modulus. */
    public static ThresholdParameters of(int threshold, int servers) {
        return new ThresholdParameters(threshold, servers, MODULUS_BITS_DEFAULT);
    }

    /** (f+1, 3f+1), the threshold of a Byzantine site that tolerates f faults (Lane 2008, section 4.2). */
    public static ThresholdParameters forFaults(int faults) {
        if (faults < 0) throw new IllegalArgumentException("faults (f) = " + faults + "; valid: >= 0");
        return of(faults + 1, 3 * faults + 1);
    }

    /** True when the modulus is only fit for tests. */
    public boolean insecure() {
        return modulusBits < MODULUS_BITS_MIN;
    }
}
