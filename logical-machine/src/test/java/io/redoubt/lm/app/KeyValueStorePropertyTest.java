package io.redoubt.lm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/** Seeded random operation sequences against a reference model and between replicas. */
@Tag("property")
class KeyValueStorePropertyTest {

    private static final String[] KEYS = {"", "a", "b", "ab", "\u00e9", "z", "key-with-longer-name"};

    private static Map.Entry<Integer, Bytes> parse(Bytes reply) {
        try {
            return KeyValueStore.parseReply(reply);
        } catch (DecodeException e) {
            throw new AssertionError("reply is not well formed: " + reply.toHex(), e);
        }
    }

    private static Bytes randomGarbage(SplittableRandom rnd) {
        byte[] b = new byte[rnd.nextInt(0, 16)];
        rnd.nextBytes(b);
        if (b.length > 0 && rnd.nextBoolean()) b[0] = (byte) rnd.nextInt(0, 5); // plausible op byte
        return Bytes.wrap(b);
    }

    private static Bytes randomOperation(SplittableRandom rnd) {
        String key = KEYS[rnd.nextInt(KEYS.length)];
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2, 3 -> KeyValueStore.put(key, "v" + rnd.nextInt(100));
            case 4, 5 -> KeyValueStore.get(key);
            case 6, 7 -> KeyValueStore.delete(key);
            case 8 -> { // a valid operation with one mutation
                byte[] b = KeyValueStore.put(key, "x").toArray();
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                yield Bytes.wrap(b);
            }
            default -> randomGarbage(rnd);
        };
    }

    /** The model's expected reply; null when the operation is not one of the three well-formed ones. */
    private static Map.Entry<Integer, String> modelApply(TreeMap<String, String> model, Bytes op) {
        for (String key : KEYS) {
            if (op.equals(KeyValueStore.get(key))) {
                String v = model.get(key);
                return v == null ? Map.entry(KeyValueStore.STATUS_NOT_FOUND, "") : Map.entry(KeyValueStore.STATUS_OK, v);
            }
            if (op.equals(KeyValueStore.delete(key))) {
                String v = model.remove(key);
                return v == null ? Map.entry(KeyValueStore.STATUS_NOT_FOUND, "") : Map.entry(KeyValueStore.STATUS_OK, v);
            }
        }
        return null;
    }

    private static Bytes modelSnapshot(TreeMap<String, String> model) {
        List<String> keys = new ArrayList<>(model.keySet());
        keys.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        CanonicalWriter w = new CanonicalWriter().i32(keys.size());
        for (String k : keys) w.utf8(k).utf8(model.get(k));
        return w.toBytes();
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L})
    void twoReplicasFedTheSameOperationsGiveIdenticalRepliesAndSnapshots(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        KeyValueStore a = new KeyValueStore();
        KeyValueStore b = new KeyValueStore();
        for (int i = 0; i < 2_000; i++) {
            Bytes op = randomOperation(rnd);
            assertEquals(a.apply(op), b.apply(op), () -> "reply to " + op.toHex());
            if (i % 100 == 0) assertEquals(a.snapshot(), b.snapshot());
        }
        assertEquals(a.snapshot(), b.snapshot());
    }

    @ParameterizedTest
    @ValueSource(longs = {11L, 12L, 13L, 14L})
    void storeAgreesWithAReferenceModel(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        KeyValueStore kv = new KeyValueStore();
        TreeMap<String, String> model = new TreeMap<>();
        for (int i = 0; i < 2_000; i++) {
            String key = KEYS[rnd.nextInt(KEYS.length)];
            Bytes op;
            Map.Entry<Integer, String> expected;
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    String value = "v" + rnd.nextInt(1000);
                    op = KeyValueStore.put(key, value);
                    String prev = model.put(key, value);
                    expected = Map.entry(KeyValueStore.STATUS_OK, prev == null ? "" : prev);
                }
                case 1 -> {
                    op = KeyValueStore.get(key);
                    expected = modelApply(model, op);
                }
                default -> {
                    op = KeyValueStore.delete(key);
                    expected = modelApply(model, op);
                }
            }
            Map.Entry<Integer, Bytes> actual = parse(kv.apply(op));
            assertEquals(expected.getKey(), actual.getKey(), "status at step " + i);
            assertEquals(expected.getValue(), actual.getValue().toUtf8(), "body at step " + i);
            assertEquals(model.size(), kv.size());
        }
        assertEquals(modelSnapshot(model), kv.snapshot());
    }

    @ParameterizedTest
    @ValueSource(longs = {21L, 22L, 23L})
    void arbitraryOperationBytesNeverThrowAndAlwaysGiveAWellFormedReply(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        KeyValueStore kv = new KeyValueStore();
        for (int i = 0; i < 10_000; i++) {
            Bytes op = rnd.nextBoolean() ? randomGarbage(rnd) : randomOperation(rnd);
            Bytes reply;
            Bytes queryReply;
            try {
                reply = kv.apply(op);
                queryReply = kv.query(op);
            } catch (RuntimeException e) {
                fail("store threw " + e + " for " + op.toHex(), e);
                return;
            }
            int status = parse(reply).getKey();
            assertTrue(status >= KeyValueStore.STATUS_OK && status <= KeyValueStore.STATUS_BAD_REQUEST);
            int queryStatus = parse(queryReply).getKey();
            assertTrue(queryStatus >= KeyValueStore.STATUS_OK && queryStatus <= KeyValueStore.STATUS_BAD_REQUEST);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {31L, 32L, 33L})
    void queriesNeverChangeState(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        KeyValueStore kv = new KeyValueStore();
        for (int i = 0; i < 500; i++) {
            kv.apply(randomOperation(rnd));
            Bytes before = kv.snapshot();
            for (int q = 0; q < 5; q++) kv.query(randomOperation(rnd));
            assertEquals(before, kv.snapshot());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {41L, 42L, 43L})
    void restoredReplicaContinuesIdenticallyToTheOriginal(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        KeyValueStore original = new KeyValueStore();
        for (int i = 0; i < 500; i++) original.apply(randomOperation(rnd));
        KeyValueStore restored = new KeyValueStore();
        restored.apply(KeyValueStore.put("stale", "state"));
        restored.restore(original.snapshot());
        assertEquals(original.snapshot(), restored.snapshot());
        for (int i = 0; i < 500; i++) {
            Bytes op = randomOperation(rnd);
            assertEquals(original.apply(op), restored.apply(op));
        }
        assertEquals(original.snapshot(), restored.snapshot());
    }
}
