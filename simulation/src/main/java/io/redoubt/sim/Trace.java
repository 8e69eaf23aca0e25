package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * A digest of everything a run delivered and executed, in order: two runs of one seed must end
 * with the same trace, which is how determinism is checked cheaply (Accord's burn test reconciles
 * the same way).
 */
final class Trace {
    private final SHA256Digest digest = new SHA256Digest();

    /** A frame delivered at {@code nowMicros} from one endpoint to another. */
    void delivered(long nowMicros, Endpoint from, Endpoint to, Bytes frame) {
        putLong(nowMicros);
        putString(from.toString());
        putString(to.toString());
        digest.update(frame.unsafeArray(), 0, frame.length());
    }

    /** A correct server executed the update with {@code updateDigest} at global sequence {@code globalSeq}. */
    void executed(long globalSeq, Bytes updateDigest) {
        putLong(globalSeq);
        digest.update(updateDigest.unsafeArray(), 0, updateDigest.length());
    }

    /** The trace so far, in hex; the trace itself goes on. */
    String hex() {
        byte[] hash = new byte[32];
        new SHA256Digest(digest).doFinal(hash, 0);
        return Bytes.wrap(hash).toHex();
    }

    private void putLong(long v) {
        for (int i = 7; i >= 0; i--) digest.update((byte) (v >>> (8 * i)));
    }

    private void putString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        digest.update(b, 0, b.length);
    }
}
