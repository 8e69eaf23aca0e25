package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import java.math.BigInteger;

/**
 * The message representative x = H(M) in Z_n that the site's RSA signature y satisfies
 * y^e = x mod n (Shoup 2000, "Valid Signatures": x = H(M), with H modelled as a random oracle onto
 * Z_n^*). This is a full-domain hash: SHA-256 of the message, expanded with a counter to the
 * modulus length plus 128 bits, then reduced mod n. The extra 128 bits make the reduction
 * statistically close to uniform on Z_n (bias below 2^-128); the counter blocks are
 *
 * <pre>T_j = SHA-256(utf8-string "redoubt/shoup-fdh/v1" || i32 j || i32 outputBytes || bytes SHA-256(M))</pre>
 *
 * (strings and byte strings length-prefixed as in {@link CanonicalWriter}) and x is the
 * big-endian unsigned integer of the first outputBytes bytes of T_0 || T_1 || ..., mod n.
 *
 * <p>x is 0 or shares a factor with n with probability about 2^-(|n|/2): finding such a
 * message would factor n, so no code path treats that case specially.
 */
public final class FullDomainHash {
    static final String DOMAIN = "redoubt/shoup-fdh/v1";
    /** Extra output beyond |n| so that reducing mod n is near uniform. */
    static final int EXTRA_BYTES = 16;

    private FullDomainHash() {}

    public static BigInteger representative(Bytes message, BigInteger modulus) {
        int outputBytes = BigIntegers.byteLength(modulus) + EXTRA_BYTES;
        Bytes digest = Digests.sha256(message);
        byte[] expanded = new byte[outputBytes];
        for (int counter = 0, filled = 0; filled < outputBytes; counter++) {
            Bytes block = Digests.sha256(new CanonicalWriter()
                    .utf8(DOMAIN).i32(counter).i32(outputBytes).bytes(digest).toBytes());
            int take = Math.min(block.length(), outputBytes - filled);
            System.arraycopy(block.unsafeArray(), 0, expanded, filled, take);
            filled += take;
        }
        return new BigInteger(1, expanded).mod(modulus);
    }
}
