package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;

/**
 * A deterministic {@link SecureRandom}: SHA-256 in counter mode over a seed, so the same seed
 * always gives the same stream. For the simulator and tests, which must deal the same keys and
 * proofs from one seed on every run (STYLE.md: seeded randomness, run a seed twice and
 * compare). Its output is exactly as secret as the seed; a production dealer passes a real
 * {@code SecureRandom} instead.
 *
 * <p>Block j of the stream is SHA-256(utf8 "redoubt/seeded-random/v1" || bytes state || i64 j),
 * where state starts as the seed; {@code setSeed(extra)} replaces the state by
 * SHA-256(state || extra) and restarts the counter, so it also stays deterministic.
 */
public final class SeededSecureRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;

    private SeededSecureRandom(Spi spi) {
        super(spi, null);
    }

    public static SecureRandom fromSeed(Bytes seed) {
        return new SeededSecureRandom(new Spi(seed));
    }

    public static SecureRandom fromSeed(long seed) {
        return fromSeed(new CanonicalWriter().i64(seed).toBytes());
    }

    @Override
    public String getAlgorithm() {
        return "redoubt-seeded-sha256";
    }

    private static final class Spi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        private Bytes state;
        private long counter;
        private final byte[] block = new byte[32];
        private int blockUsed = block.length;

        Spi(Bytes seed) {
            this.state = seed;
        }

        @Override
        protected synchronized void engineSetSeed(byte[] extra) {
            state = Digests.sha256(state, Bytes.copyOf(extra));
            counter = 0;
            blockUsed = block.length;
        }

        @Override
        protected synchronized void engineNextBytes(byte[] out) {
            for (int filled = 0; filled < out.length; ) {
                if (blockUsed == block.length) {
                    Bytes next = Digests.sha256(new CanonicalWriter()
                            .utf8("redoubt/seeded-random/v1").bytes(state).i64(counter++).toBytes());
                    System.arraycopy(next.unsafeArray(), 0, block, 0, block.length);
                    blockUsed = 0;
                }
                int take = Math.min(block.length - blockUsed, out.length - filled);
                System.arraycopy(block, blockUsed, out, filled, take);
                blockUsed += take;
                filled += take;
            }
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            byte[] seed = new byte[numBytes];
            engineNextBytes(seed);
            return seed;
        }
    }
}
