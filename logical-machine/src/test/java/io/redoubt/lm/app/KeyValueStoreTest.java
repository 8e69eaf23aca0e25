package io.redoubt.lm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyValueStoreTest {

    private static Map.Entry<Integer, Bytes> parse(Bytes reply) {
        try {
            return KeyValueStore.parseReply(reply);
        } catch (DecodeException e) {
            throw new AssertionError("reply is not well formed: " + reply.toHex(), e);
        }
    }

    private static void assertReply(int status, String body, Bytes reply) {
        Map.Entry<Integer, Bytes> r = parse(reply);
        assertEquals(status, r.getKey(), () -> "status of reply with body " + r.getValue().toUtf8());
        assertEquals(body, r.getValue().toUtf8());
    }

    private static void assertBadRequest(KeyValueStore kv, Bytes operation) {
        Bytes before = kv.snapshot();
        Bytes reply = kv.apply(operation);
        assertEquals(KeyValueStore.STATUS_BAD_REQUEST, parse(reply).getKey(), () -> "operation " + operation.toHex());
        assertEquals(before, kv.snapshot(), () -> "state changed by bad operation " + operation.toHex());
    }

    private static final int OP_PUT = 1;
    private static final int OP_GET = 2;
    private static final int OP_DELETE = 3;

    @Test
    void getOfAMissingKeyIsNotFoundWithEmptyBody() {
        assertReply(KeyValueStore.STATUS_NOT_FOUND, "", new KeyValueStore().apply(KeyValueStore.get("k")));
    }

    @Test
    void putReturnsThePreviousValueOrEmpty() {
        KeyValueStore kv = new KeyValueStore();
        assertReply(KeyValueStore.STATUS_OK, "", kv.apply(KeyValueStore.put("k", "v1")));
        assertReply(KeyValueStore.STATUS_OK, "v1", kv.apply(KeyValueStore.put("k", "v2")));
        assertReply(KeyValueStore.STATUS_OK, "v2", kv.apply(KeyValueStore.get("k")));
        assertEquals(1, kv.size());
    }

    @Test
    void keysAreIndependent() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("a", "1"));
        kv.apply(KeyValueStore.put("b", "2"));
        assertReply(KeyValueStore.STATUS_OK, "1", kv.apply(KeyValueStore.get("a")));
        assertReply(KeyValueStore.STATUS_OK, "2", kv.apply(KeyValueStore.get("b")));
        assertReply(KeyValueStore.STATUS_NOT_FOUND, "", kv.apply(KeyValueStore.get("c")));
        assertEquals(2, kv.size());
    }

    @Test
    void deleteReturnsThePreviousValueThenNotFound() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("k", "v"));
        assertReply(KeyValueStore.STATUS_OK, "v", kv.apply(KeyValueStore.delete("k")));
        assertReply(KeyValueStore.STATUS_NOT_FOUND, "", kv.apply(KeyValueStore.delete("k")));
        assertReply(KeyValueStore.STATUS_NOT_FOUND, "", kv.apply(KeyValueStore.get("k")));
        assertEquals(0, kv.size());
    }

    @Test
    void emptyKeyAndEmptyValueAreOrdinaryValues() {
        KeyValueStore kv = new KeyValueStore();
        assertReply(KeyValueStore.STATUS_OK, "", kv.apply(KeyValueStore.put("", "")));
        assertReply(KeyValueStore.STATUS_OK, "", kv.apply(KeyValueStore.get("")));
        assertEquals(1, kv.size());
        assertReply(KeyValueStore.STATUS_OK, "", kv.apply(KeyValueStore.delete("")));
        assertEquals(0, kv.size());
    }

    @Test
    void emptyOperationIsABadRequest() {
        assertBadRequest(new KeyValueStore(), Bytes.EMPTY);
    }

    @Test
    void unknownOperationBytesAreBadRequests() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("k", "v"));
        for (int op : new int[] {0, 4, 5, 0x7f, 0x80, 0xff}) {
            assertBadRequest(kv, new CanonicalWriter().u8(op).utf8("k").toBytes());
            assertBadRequest(kv, new CanonicalWriter().u8(op).utf8("k").utf8("v").toBytes());
            assertBadRequest(kv, new CanonicalWriter().u8(op).toBytes());
        }
    }

    @Test
    void everyTruncationOfAValidOperationIsABadRequest() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("key", "old"));
        for (Bytes op : new Bytes[] {KeyValueStore.put("key", "value"), KeyValueStore.get("key"), KeyValueStore.delete("key")}) {
            for (int cut = 0; cut < op.length(); cut++) {
                assertBadRequest(kv, Bytes.wrap(Arrays.copyOf(op.toArray(), cut)));
            }
        }
    }

    @Test
    void trailingBytesAreBadRequests() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("key", "old"));
        for (Bytes op : new Bytes[] {KeyValueStore.put("key", "new"), KeyValueStore.get("key"), KeyValueStore.delete("key")}) {
            byte[] longer = Arrays.copyOf(op.toArray(), op.length() + 1);
            assertBadRequest(kv, Bytes.wrap(longer));
        }
        assertReply(KeyValueStore.STATUS_OK, "old", kv.apply(KeyValueStore.get("key")));
    }

    @Test
    void keysUpToTheMaximumAreAcceptedAndLongerOnesAreBadRequests() {
        KeyValueStore kv = new KeyValueStore();
        String max = "k".repeat(KeyValueStore.KEY_LENGTH_MAX);
        String over = "k".repeat(KeyValueStore.KEY_LENGTH_MAX + 1);
        assertReply(KeyValueStore.STATUS_OK, "", kv.apply(KeyValueStore.put(max, "v")));
        assertReply(KeyValueStore.STATUS_OK, "v", kv.apply(KeyValueStore.get(max)));
        assertBadRequest(kv, KeyValueStore.put(over, "v"));
        assertBadRequest(kv, KeyValueStore.get(over));
        assertBadRequest(kv, KeyValueStore.delete(over));
        assertEquals(KeyValueStore.STATUS_BAD_REQUEST, parse(kv.query(KeyValueStore.get(over))).getKey());
    }

    @Test
    void valuesUpToTheMaximumAreAcceptedAndLongerOnesAreBadRequests() {
        KeyValueStore kv = new KeyValueStore();
        String max = "v".repeat(KeyValueStore.VALUE_LENGTH_MAX);
        assertReply(KeyValueStore.STATUS_OK, "", kv.apply(KeyValueStore.put("k", max)));
        assertReply(KeyValueStore.STATUS_OK, max, kv.apply(KeyValueStore.get("k")));
        assertBadRequest(kv, KeyValueStore.put("k", "v".repeat(KeyValueStore.VALUE_LENGTH_MAX + 1)));
        // the oversize put did not replace the stored value
        assertReply(KeyValueStore.STATUS_OK, max, kv.apply(KeyValueStore.get("k")));
    }

    @Test
    void hostileLengthPrefixesAreBadRequests() {
        KeyValueStore kv = new KeyValueStore();
        assertBadRequest(kv, Bytes.wrap(HexFormat.of().parseHex("02" + "7fffffff")));
        assertBadRequest(kv, Bytes.wrap(HexFormat.of().parseHex("01" + "00000001" + "6b" + "7fffffff" + "00")));
        assertBadRequest(kv, Bytes.wrap(HexFormat.of().parseHex("01" + "ffffffff")));
    }

    @Test
    void badRequestRepliesCarryAReadableReason() {
        Map.Entry<Integer, Bytes> r = parse(new KeyValueStore().apply(new CanonicalWriter().u8(9).utf8("k").toBytes()));
        assertEquals(KeyValueStore.STATUS_BAD_REQUEST, r.getKey());
        assertEquals("unknown operation 9", r.getValue().toUtf8());
    }

    @Test
    void queryAnswersGetsWithoutChangingState() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("k", "v"));
        Bytes before = kv.snapshot();
        assertReply(KeyValueStore.STATUS_OK, "v", kv.query(KeyValueStore.get("k")));
        assertReply(KeyValueStore.STATUS_NOT_FOUND, "", kv.query(KeyValueStore.get("missing")));
        assertEquals(before, kv.snapshot());
    }

    @Test
    void queryRefusesUpdatesAndLeavesStateUnchanged() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("k", "v"));
        Bytes before = kv.snapshot();
        assertEquals(KeyValueStore.STATUS_BAD_REQUEST, parse(kv.query(KeyValueStore.put("k", "x"))).getKey());
        assertEquals(KeyValueStore.STATUS_BAD_REQUEST, parse(kv.query(KeyValueStore.put("new", "x"))).getKey());
        assertEquals(KeyValueStore.STATUS_BAD_REQUEST, parse(kv.query(KeyValueStore.delete("k"))).getKey());
        assertEquals(before, kv.snapshot());
        assertReply(KeyValueStore.STATUS_OK, "v", kv.apply(KeyValueStore.get("k")));
        assertEquals(1, kv.size());
    }

    @Test
    void queryRejectsMalformedReadsWithoutThrowing() {
        KeyValueStore kv = new KeyValueStore();
        Bytes get = KeyValueStore.get("k");
        assertEquals(KeyValueStore.STATUS_BAD_REQUEST, parse(kv.query(Bytes.EMPTY)).getKey());
        for (int cut = 1; cut < get.length(); cut++) {
            assertEquals(KeyValueStore.STATUS_BAD_REQUEST,
                    parse(kv.query(Bytes.wrap(Arrays.copyOf(get.toArray(), cut)))).getKey());
        }
        assertEquals(KeyValueStore.STATUS_BAD_REQUEST,
                parse(kv.query(Bytes.wrap(Arrays.copyOf(get.toArray(), get.length() + 1)))).getKey());
    }

    @Test
    void snapshotOfAnEmptyStoreIsAZeroCount() {
        assertEquals("00000000", new KeyValueStore().snapshot().toHex());
    }

    @Test
    void snapshotListsEntriesInKeyOrderWithExactBytes() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("b", "2"));
        kv.apply(KeyValueStore.put("a", "1"));
        assertEquals("00000002" + "0000000161" + "0000000131" + "0000000162" + "0000000132", kv.snapshot().toHex());
    }

    @Test
    void snapshotOrdersKeysByUnsignedBytes() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("\u00e9", "x")); // c3 a9: sorts after 0x7a unsigned, before it signed
        kv.apply(KeyValueStore.put("z", "y"));
        assertEquals("00000002" + "000000017a" + "0000000179" + "00000002c3a9" + "0000000178", kv.snapshot().toHex());
    }

    @Test
    void snapshotRestoreRoundTripGivesEqualSnapshotAndAnswers() {
        KeyValueStore kv = new KeyValueStore();
        for (int i = 0; i < 50; i++) kv.apply(KeyValueStore.put("key" + i, "value" + (i * 7)));
        kv.apply(KeyValueStore.delete("key3"));
        Bytes snap = kv.snapshot();
        KeyValueStore copy = new KeyValueStore();
        copy.restore(snap);
        assertEquals(snap, copy.snapshot());
        assertEquals(kv.size(), copy.size());
        for (int i = 0; i < 55; i++) {
            Bytes get = KeyValueStore.get("key" + i);
            assertEquals(kv.query(get), copy.query(get));
            assertEquals(kv.apply(get), copy.apply(get));
        }
    }

    @Test
    void restoreReplacesExistingState() {
        KeyValueStore source = new KeyValueStore();
        source.apply(KeyValueStore.put("a", "1"));
        KeyValueStore target = new KeyValueStore();
        target.apply(KeyValueStore.put("b", "2"));
        target.restore(source.snapshot());
        assertEquals(source.snapshot(), target.snapshot());
        assertReply(KeyValueStore.STATUS_NOT_FOUND, "", target.query(KeyValueStore.get("b")));
        target.restore(new KeyValueStore().snapshot());
        assertEquals(0, target.size());
    }

    @Test
    void restoreOfMalformedSnapshotsThrowsIllegalArgumentAndKeepsTheOldState() {
        KeyValueStore kv = new KeyValueStore();
        kv.apply(KeyValueStore.put("keep", "me"));
        Bytes before = kv.snapshot();
        KeyValueStore other = new KeyValueStore();
        other.apply(KeyValueStore.put("x", "y"));
        other.apply(KeyValueStore.put("z", "w"));
        byte[] valid = other.snapshot().toArray();
        for (int cut = 0; cut < valid.length; cut++) {
            Bytes truncated = Bytes.wrap(Arrays.copyOf(valid, cut));
            assertThrows(IllegalArgumentException.class, () -> kv.restore(truncated));
            assertEquals(before, kv.snapshot());
        }
        assertThrows(IllegalArgumentException.class, () -> kv.restore(Bytes.wrap(Arrays.copyOf(valid, valid.length + 1))));
        assertThrows(IllegalArgumentException.class, () -> kv.restore(Bytes.wrap(HexFormat.of().parseHex("7fffffff"))));
        assertThrows(IllegalArgumentException.class, () -> kv.restore(Bytes.wrap(HexFormat.of().parseHex("ffffffff"))));
        assertEquals(before, kv.snapshot());
    }

    @Test
    void snapshotDoesNotDependOnInsertionOrder() {
        KeyValueStore a = new KeyValueStore();
        KeyValueStore b = new KeyValueStore();
        String[] keys = {"m", "a", "zz", "", "b", "aa"};
        for (String k : keys) a.apply(KeyValueStore.put(k, "v" + k));
        for (int i = keys.length - 1; i >= 0; i--) b.apply(KeyValueStore.put(keys[i], "v" + keys[i]));
        b.apply(KeyValueStore.put("tmp", "t"));
        b.apply(KeyValueStore.delete("tmp"));
        assertEquals(a.snapshot(), b.snapshot());
    }

    @Test
    void operationEncodersUseTheDocumentedLayout() {
        assertEquals(new CanonicalWriter().u8(OP_PUT).utf8("k").utf8("v").toBytes(), KeyValueStore.put("k", "v"));
        assertEquals(new CanonicalWriter().u8(OP_GET).utf8("k").toBytes(), KeyValueStore.get("k"));
        assertEquals(new CanonicalWriter().u8(OP_DELETE).utf8("k").toBytes(), KeyValueStore.delete("k"));
    }

    @Test
    void parseReplyRejectsMalformedReplies() {
        assertThrows(DecodeException.class, () -> KeyValueStore.parseReply(Bytes.EMPTY));
        assertThrows(DecodeException.class, () -> KeyValueStore.parseReply(Bytes.wrap(new byte[] {0, 0, 0, 0})));
        assertThrows(DecodeException.class, () -> KeyValueStore.parseReply(Bytes.wrap(new byte[] {0, 0, 0, 0, 0, 9})));
    }

    @Test
    void theStateDigestIsTheDigestOfTheSnapshot() {
        KeyValueStore kv = new KeyValueStore();
        assertEquals(io.redoubt.lm.crypto.Digests.sha256(kv.snapshot()), kv.stateDigest());
        kv.apply(KeyValueStore.put("a", "1"));
        kv.apply(KeyValueStore.put("b", "x".repeat(5000)));
        assertEquals(io.redoubt.lm.crypto.Digests.sha256(kv.snapshot()), kv.stateDigest());
    }
}
