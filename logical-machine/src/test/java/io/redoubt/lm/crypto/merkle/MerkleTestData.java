package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded test inputs shared by the Merkle tests. */
final class MerkleTestData {
    private MerkleTestData() {}

    /** {@code n} distinct messages of 4 to 303 bytes: a 4-byte counter, then random bytes. */
    static List<Bytes> messages(SplittableRandom rnd, int n) {
        List<Bytes> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[4 + rnd.nextInt(0, 300)];
            rnd.nextBytes(b);
            b[0] = (byte) (i >>> 24);
            b[1] = (byte) (i >>> 16);
            b[2] = (byte) (i >>> 8);
            b[3] = (byte) i;
            out.add(Bytes.wrap(b));
        }
        return out;
    }

    static Bytes randomBytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return Bytes.wrap(b);
    }

    static Bytes flipBit(Bytes b, int bit) {
        byte[] a = b.toArray();
        a[bit / 8] ^= (byte) (1 << (bit % 8));
        return Bytes.wrap(a);
    }

    static int ceilLog2(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}
