package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import java.security.MessageDigest;
import java.util.zip.CRC32C;

/**
 * A digest of everything a run delivered and executed, in order: two runs of one seed must end
 * with the same trace, which is how determinism is checked cheaply (Accord's burn test reconciles
 * the same way).
 *
 * <p>Each delivery enters as a fixed-size record of what identifies it: the time, both endpoints,
 * the frame's length and its CRC-32C (intrinsified, so the frame is read at memory speed). Hashing
 * whole frames with SHA-256 took a seventh of a Byzantine campaign. A divergence would have to
 * keep every later frame's time, length and CRC unchanged to go unnoticed; a real one changes
 * timings and frames everywhere after it.
 */
final class Trace {
    private final MessageDigest digest = Digests.newSha256(); // the JDK's: SHA instructions where the CPU has them
    private final CRC32C crc = new CRC32C();
    /** One record: up to 8 + 4 + 4 + 4 + 4 bytes, or 8 + a digest for an execution. */
    private final byte[] record = new byte[64];

    /** A frame delivered at {@code nowMicros} from one endpoint to another. */
    void delivered(long nowMicros, Endpoint from, Endpoint to, Bytes frame) {
        crc.reset();
        crc.update(frame.unsafeArray(), 0, frame.length());
        int at = putLong(0, nowMicros);
        at = putInt(at, endpoint(from));
        at = putInt(at, endpoint(to));
        at = putInt(at, frame.length());
        at = putInt(at, (int) crc.getValue());
        digest.update(record, 0, at);
    }

    /** A correct server executed the update with {@code updateDigest} at global sequence {@code globalSeq}. */
    void executed(long globalSeq, Bytes updateDigest) {
        digest.update(record, 0, putLong(0, globalSeq));
        digest.update(updateDigest.unsafeArray(), 0, updateDigest.length());
    }

    /** The trace so far, in hex; the trace itself goes on. */
    String hex() {
        try {
            return Bytes.wrap(((MessageDigest) digest.clone()).digest()).toHex();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 clones (Digests relies on it too)", e);
        }
    }

    /** Client bit, site and index in one int (sites and indexes stay far below 2^15). */
    private static int endpoint(Endpoint e) {
        return (e.client() ? 1 << 31 : 0) | (e.site() & 0x7fff) << 16 | (e.index() & 0xffff);
    }

    private int putLong(int at, long v) {
        for (int i = 7; i >= 0; i--) record[at++] = (byte) (v >>> (8 * i));
        return at;
    }

    private int putInt(int at, int v) {
        for (int i = 3; i >= 0; i--) record[at++] = (byte) (v >>> (8 * i));
        return at;
    }
}
