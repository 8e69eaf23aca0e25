package io.redoubt.lm.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A hashing writer digests exactly the bytes a keeping writer would hold, whatever their sizes. */
class HashingWriterTest {
    private static void assertSameDigest(Consumer<CanonicalWriter> write) {
        CanonicalWriter kept = new CanonicalWriter();
        write.accept(kept);
        Bytes expected = Digests.sha256(kept.toBytes());
        for (CanonicalWriter hashed : List.of(CanonicalWriter.hashingInto(Digests.newSha256()),
                CanonicalWriter.hashingInto(Digests.newSha256(), 16), CanonicalWriter.hashingInto(Digests.newSha256(), 512))) {
            write.accept(hashed);
            assertEquals(kept.size(), hashed.size());
            assertEquals(expected, hashed.digest());
        }
    }

    @Test
    void smallAndLargeValuesAcrossManyBufferFlushes() {
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            long seed = random.nextLong();
            assertSameDigest(w -> {
                Random r = new Random(seed);
                for (int i = 0; i < 300; i++) {
                    switch (r.nextInt(6)) {
                        case 0 -> w.u8(r.nextInt(256));
                        case 1 -> w.i32(r.nextInt());
                        case 2 -> w.i64(r.nextLong());
                        case 3 -> {
                            byte[] b = new byte[r.nextInt(r.nextBoolean() ? 40 : 9000)];
                            r.nextBytes(b);
                            w.bytes(b);
                        }
                        case 4 -> {
                            List<Bytes> list = new ArrayList<>();
                            for (int j = r.nextInt(5); j > 0; j--) {
                                byte[] b = new byte[r.nextInt(3000)];
                                r.nextBytes(b);
                                list.add(Bytes.wrap(b));
                            }
                            w.bytesList(list);
                        }
                        default -> {
                            byte[] b = new byte[r.nextInt(5000)];
                            r.nextBytes(b);
                            w.raw(b);
                        }
                    }
                }
            });
        }
    }

    @Test
    void aHashingWriterKeepsNoBytesAndAKeepingOneHasNoDigest() {
        assertThrows(IllegalStateException.class, () -> CanonicalWriter.hashingInto(Digests.newSha256()).i32(1).toBytes());
        assertThrows(IllegalStateException.class, () -> new CanonicalWriter().i32(1).digest());
        assertThrows(IllegalArgumentException.class, () -> CanonicalWriter.hashingInto(Digests.newSha256(), 15));
    }
}
