package io.redoubt.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableLogTest {

    private static final int HEADER = DurableLog.FILE_HEADER_BYTES;
    private static final int RECORD_HEADER = DurableLog.RECORD_HEADER_BYTES;

    @TempDir
    Path dir;

    private static Bytes filled(int lengthBytes, long seed) {
        byte[] b = new byte[lengthBytes];
        new SplittableRandom(seed).nextBytes(b);
        return Bytes.wrap(b);
    }

    private static List<Bytes> seededRecords(long seed, int count, int payloadBytesMax) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Bytes> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(filled(random.nextInt(payloadBytesMax + 1), random.nextLong()));
        }
        return records;
    }

    /** Where record {@code index} starts in a file holding {@code records}; index == size gives the end. */
    private static long offsetOf(List<Bytes> records, int index) {
        long offset = HEADER;
        for (int i = 0; i < index; i++) {
            offset += RECORD_HEADER + records.get(i).length();
        }
        return offset;
    }

    private static byte[] writeLog(Path file, List<Bytes> records) throws IOException {
        try (DurableLog log = DurableLog.open(file)) {
            for (Bytes r : records) {
                log.append(r);
            }
            log.force();
        }
        return Files.readAllBytes(file);
    }

    private static List<Bytes> reopen(Path file) throws IOException {
        try (DurableLog log = DurableLog.open(file)) {
            return log.records();
        }
    }

    @Test
    void openCreatesTheFileAndItsDirectoriesHoldingOnlyTheHeader() throws IOException {
        Path file = dir.resolve("servers/s1/log");
        try (DurableLog log = DurableLog.open(file)) {
            assertEquals(List.of(), log.records());
            assertFalse(log.recovered().truncated());
            assertFalse(log.dirty());
            assertEquals(HEADER, log.sizeBytes());
        }
        assertEquals(HEADER, Files.size(file));
        assertFalse(Files.exists(dir.resolve("servers/s1/log.creating")));
    }

    /** Log compaction (issue 18): the log becomes exactly the given records, and appends go on after them. */
    @Test
    void replaceLeavesExactlyTheNewRecordsAndAppendsGoOnAfterThem() throws IOException {
        Path file = dir.resolve("log");
        try (DurableLog log = DurableLog.open(file)) {
            for (Bytes r : seededRecords(7, 50, 512)) log.append(r);
        }
        List<Bytes> compacted = seededRecords(8, 3, 4096);
        DurableLog.replace(file, compacted);
        assertFalse(Files.exists(dir.resolve("log.compacting")), "the side file is renamed into place");
        Bytes later = filled(10, 9);
        try (DurableLog log = DurableLog.open(file)) {
            assertEquals(compacted, log.records());
            log.append(later);
        }
        List<Bytes> expected = new ArrayList<>(compacted);
        expected.add(later);
        assertEquals(expected, reopen(file));
    }

    /** The records read at open are let go once the server restored itself; the log goes on, and they come back at the next open. */
    @Test
    void recordsForgottenAfterStartAreStillOnDisk() throws IOException {
        Path file = dir.resolve("log");
        List<Bytes> first = seededRecords(3, 5, 100);
        try (DurableLog log = DurableLog.open(file)) {
            for (Bytes r : first) log.append(r);
        }
        Bytes later = filled(20, 4);
        try (DurableLog log = DurableLog.open(file)) {
            assertEquals(first, log.records());
            log.forgetRecords();
            assertThrows(IllegalStateException.class, log::records);
            log.append(later);
            log.force();
        }
        List<Bytes> expected = new ArrayList<>(first);
        expected.add(later);
        assertEquals(expected, reopen(file));
    }

    @Test
    void forcedRecordsComeBackInAppendOrderAfterReopen() throws IOException {
        Path file = dir.resolve("log");
        List<Bytes> records = new ArrayList<>();
        records.add(Bytes.EMPTY);
        records.add(filled(1, 1));
        records.add(filled(3 << 20, 2)); // larger than the write buffer: written around it
        records.add(Bytes.EMPTY);
        for (int i = 0; i < 10_000; i++) {
            records.add(Bytes.ofUtf8("r" + i));
        }
        records.add(filled(DurableLog.DEFAULT_PAYLOAD_BYTES_MAX, 3)); // exactly the bound is allowed
        byte[] onDisk = writeLog(file, records);

        assertEquals(offsetOf(records, records.size()), onDisk.length);
        try (DurableLog log = DurableLog.open(file)) {
            assertEquals(records, log.records());
            assertFalse(log.recovered().truncated());
            assertEquals(onDisk.length, log.sizeBytes());
        }
    }

    @Test
    void appendOnlyBuffersAndOneForceMakesAGroupDurable() throws IOException {
        Path file = dir.resolve("log");
        Bytes record = Bytes.ofUtf8("promise view 7");
        try (DurableLog log = DurableLog.open(file)) {
            for (int i = 0; i < 100; i++) {
                log.append(record);
            }
            long expectedBytes = 100L * (RECORD_HEADER + record.length());
            assertTrue(log.dirty());
            assertEquals(HEADER + expectedBytes, log.sizeBytes());
            assertEquals(HEADER, Files.size(file), "appends reached the file before force");
            assertEquals(0, log.forces());

            log.force();
            assertFalse(log.dirty());
            assertEquals(HEADER + expectedBytes, Files.size(file));
            assertEquals(100, log.recordsAppended());
            assertEquals(1, log.forces());
            assertEquals(expectedBytes, log.bytesWritten());

            log.force(); // clean: nothing to do, not counted
            assertEquals(1, log.forces());
        }
    }

    @Test
    void closeForcesWhatWasAppendedSinceTheLastForce() throws IOException {
        Path file = dir.resolve("log");
        try (DurableLog log = DurableLog.open(file)) {
            log.append(Bytes.ofUtf8("a"));
            log.force();
            log.append(Bytes.ofUtf8("b"));
        }
        assertEquals(List.of(Bytes.ofUtf8("a"), Bytes.ofUtf8("b")), reopen(file));
    }

    @Test
    void appendsAfterReopenFollowTheRecordsReadAtOpen() throws IOException {
        Path file = dir.resolve("log");
        writeLog(file, List.of(Bytes.ofUtf8("a"), Bytes.ofUtf8("b")));
        try (DurableLog log = DurableLog.open(file)) {
            log.append(Bytes.ofUtf8("c"));
            assertEquals(List.of(Bytes.ofUtf8("a"), Bytes.ofUtf8("b")), log.records(), "records() is what open read");
        }
        assertEquals(List.of(Bytes.ofUtf8("a"), Bytes.ofUtf8("b"), Bytes.ofUtf8("c")), reopen(file));
    }

    @Tag("property")
    @Test
    void everyTruncationPointRecoversExactlyTheWholeRecordsBeforeItAndCutsTheRest() throws IOException {
        // small enough to try every cut point: each costs a couple of fsyncs
        List<Bytes> records = seededRecords(0x5EED_14L, 30, 24);
        records.set(0, Bytes.EMPTY);
        records.set(17, Bytes.EMPTY);
        byte[] full = writeLog(dir.resolve("full"), records);
        Path file = dir.resolve("cut");
        Bytes marker = Bytes.ofUtf8("appended after recovery");

        for (int cut = HEADER; cut <= full.length; cut++) {
            int whole = 0;
            while (whole < records.size() && offsetOf(records, whole + 1) <= cut) {
                whole++;
            }
            List<Bytes> expected = records.subList(0, whole);
            long cleanEnd = offsetOf(records, whole);
            Files.write(file, Arrays.copyOf(full, cut));
            String at = "cut at " + cut;

            try (DurableLog log = DurableLog.open(file)) {
                assertEquals(expected, log.records(), at);
                assertEquals(cut - cleanEnd, log.recovered().truncatedBytes(), at);
                assertEquals(cleanEnd, log.recovered().endBytes(), at);
            }
            assertEquals(cleanEnd, Files.size(file), at);

            try (DurableLog again = DurableLog.open(file)) { // stable: nothing more to cut
                assertEquals(expected, again.records(), at);
                assertFalse(again.recovered().truncated(), at);
                again.append(marker);
            }
            List<Bytes> withMarker = new ArrayList<>(expected);
            withMarker.add(marker);
            assertEquals(withMarker, reopen(file), at + ": a record appended after recovery reads back");
        }
    }

    @Test
    void aFileCutInsideItsHeaderIsAnErrorNamingTheFile() throws IOException {
        byte[] full = writeLog(dir.resolve("full"), List.of(Bytes.ofUtf8("x")));
        Path file = dir.resolve("cut");
        for (int cut = 0; cut < HEADER; cut++) {
            Files.write(file, Arrays.copyOf(full, cut));
            CorruptLogException e = assertThrows(CorruptLogException.class, () -> DurableLog.open(file));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertEquals(0, e.offsetBytes());
        }
    }

    @Test
    void aFlippedByteInAnEarlyRecordIsCorruptionAtThatRecordsOffset() throws IOException {
        List<Bytes> records = seededRecords(7, 5, 100);
        records.set(2, filled(50, 8));
        Path file = dir.resolve("log");
        byte[] good = writeLog(file, records);
        long badOffset = offsetOf(records, 2);

        // any byte of the record after its length: the checksum field or the payload
        for (long i = badOffset + Integer.BYTES; i < offsetOf(records, 3); i++) {
            byte[] bad = good.clone();
            bad[(int) i] ^= 0x10;
            Files.write(file, bad);

            CorruptLogException e = assertThrows(CorruptLogException.class, () -> DurableLog.open(file));
            assertEquals(badOffset, e.offsetBytes());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("byte offset " + badOffset + ":"), e.getMessage());
            assertTrue(e.getMessage().contains("restore this server's data directory"), e.getMessage());
            assertArrayEquals(bad, Files.readAllBytes(file), "a corrupt log must be left as it was found");
        }
    }

    @Test
    void aFlippedByteInTheLastRecordIsATornTailAndIsCutOff() throws IOException {
        List<Bytes> records = seededRecords(9, 4, 30);
        records.set(3, filled(30, 10));
        Path file = dir.resolve("log");
        byte[] good = writeLog(file, records);
        long lastOffset = offsetOf(records, 3);

        for (long i = lastOffset + Integer.BYTES; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[(int) i] ^= 0x01;
            Files.write(file, bad);
            try (DurableLog log = DurableLog.open(file)) {
                assertEquals(records.subList(0, 3), log.records(), "flip at " + i);
                assertEquals(good.length - lastOffset, log.recovered().truncatedBytes());
            }
            assertEquals(lastOffset, Files.size(file));
        }
    }

    /**
     * A damaged length in the last record that makes it end before the file does leaves bytes that
     * belong to no record: we cannot tell that from damage in the middle, so we stop rather than guess.
     */
    @Test
    void aLastRecordWhoseLengthShrankIsReportedNotGuessedAway() throws IOException {
        List<Bytes> records = List.of(Bytes.ofUtf8("first"), filled(64, 11));
        Path file = dir.resolve("log");
        byte[] bad = writeLog(file, records);
        int lastOffset = (int) offsetOf(records, 1);
        ByteBuffer.wrap(bad).putInt(lastOffset, 60);
        Files.write(file, bad);

        CorruptLogException e = assertThrows(CorruptLogException.class, () -> DurableLog.open(file));
        assertEquals(lastOffset, e.offsetBytes());
    }

    @Test
    void aHugeBogusLengthInTheMiddleIsCorruptionAndAllocatesNothing() throws IOException {
        List<Bytes> records = List.of(Bytes.ofUtf8("a"), Bytes.ofUtf8("b"), Bytes.ofUtf8("c"));
        Path file = dir.resolve("log");
        byte[] good = writeLog(file, records);
        int middle = (int) offsetOf(records, 1);

        for (int bogus : new int[] {0xFFFF_FFF0, Integer.MAX_VALUE, DurableLog.DEFAULT_PAYLOAD_BYTES_MAX + 1}) {
            byte[] bad = good.clone();
            ByteBuffer.wrap(bad).putInt(middle, bogus);
            Files.write(file, bad);
            CorruptLogException e = assertThrows(CorruptLogException.class, () -> DurableLog.open(file));
            assertEquals(middle, e.offsetBytes());
            assertTrue(e.getMessage().contains(Integer.toUnsignedString(bogus)), e.getMessage());
        }
    }

    /** Nothing follows the header, so nothing acknowledged can be lost by cutting it. */
    @Test
    void anImpossibleLengthInAHeaderThatEndsTheFileIsATornTail() throws IOException {
        List<Bytes> records = List.of(Bytes.ofUtf8("a"));
        Path file = dir.resolve("log");
        byte[] good = writeLog(file, records);
        byte[] bad = Arrays.copyOf(good, good.length + RECORD_HEADER);
        ByteBuffer.wrap(bad).putInt(good.length, 0xFFFF_FFF0);
        Files.write(file, bad);

        assertEquals(records, reopen(file));
        assertEquals(good.length, Files.size(file));
    }

    @Test
    void theLengthBoundIsAParameter() throws IOException {
        Path file = dir.resolve("log");
        writeLog(file, List.of(filled(200, 1), Bytes.ofUtf8("after")));
        try (DurableLog log = DurableLog.open(file, 200)) {
            assertEquals(2, log.records().size());
        }
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> DurableLog.open(file, 199));
        assertEquals(HEADER, e.offsetBytes());
    }

    @Test
    void aRecordLongerThanTheBoundIsRefusedAtAppend() throws IOException {
        try (DurableLog log = DurableLog.open(dir.resolve("log"), 16)) {
            log.append(filled(16, 1));
            assertThrows(IllegalArgumentException.class, () -> log.append(filled(17, 2)));
            assertEquals(1, log.recordsAppended());
        }
    }

    @Test
    void badMagicIsAnErrorNamingTheFile() throws IOException {
        Path file = dir.resolve("log");
        byte[] bytes = writeLog(file, List.of(Bytes.ofUtf8("x")));
        bytes[0] = 'X';
        Files.write(file, bytes);
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> DurableLog.open(file));
        assertEquals(0, e.offsetBytes());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void anUnknownFormatVersionIsAnErrorNamingTheFileAndTheVersion() throws IOException {
        Path file = dir.resolve("log");
        byte[] bytes = writeLog(file, List.of());
        ByteBuffer.wrap(bytes).putInt(HEADER - Integer.BYTES, 2);
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> DurableLog.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }

    @Test
    void aSecondOpenOfTheSameFileIsRefusedWhileTheFirstHoldsIt() throws IOException {
        Path file = dir.resolve("log");
        try (DurableLog first = DurableLog.open(file)) {
            IOException e = assertThrows(IOException.class, () -> DurableLog.open(file));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
            first.append(Bytes.ofUtf8("still mine"));
        }
        assertEquals(List.of(Bytes.ofUtf8("still mine")), reopen(file));
    }

    @Test
    void aClosedLogRefusesAppendsAndClosingTwiceIsHarmless() throws IOException {
        DurableLog log = DurableLog.open(dir.resolve("log"));
        log.close();
        log.close();
        assertThrows(IllegalStateException.class, () -> log.append(Bytes.EMPTY));
        assertThrows(IllegalStateException.class, log::force);
    }
}
