package io.redoubt.runtime.storage;

import io.redoubt.lm.Bytes;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The append-only log that holds what one server's cores {@code persist} (issue 14), one file in
 * the server's data directory. A restart reads it back with {@link #open} and hands
 * {@link #records()} to the server's constructor.
 *
 * <h2>Contract with the host</h2>
 * {@link #append} only buffers; {@link #force} makes everything appended so far durable. The host
 * appends every record persisted while handling one input and calls {@code force} <b>before any
 * message produced after those records leaves the server and before any reply is sent</b>
 * (the persist-before-send rule of {@link io.redoubt.lm.core.Outbox}). Then {@code kill -9} or a
 * power cut loses nothing anyone was told about: what was acknowledged was forced, and what was
 * not forced was never acknowledged. Many appends share one force (group commit); a force on a
 * clean log does nothing, so the host may call it after every input.
 *
 * <p>If a write or force fails the log refuses all further calls: after a failed fsync the kernel
 * may have dropped the dirty pages, so a retry that succeeds proves nothing. The server must stop
 * and recover from the file.
 *
 * <p>Not thread-safe, by design: one server's actor owns its log.
 *
 * <h2>File format (version 1, big-endian)</h2>
 * <pre>
 * file header:  8 bytes magic "RDBT-LOG", u32 format version
 * each record:  u32 payload length, u32 CRC32C of (the 4 length bytes + payload), payload
 * </pre>
 * A payload is at most {@code payloadBytesMax} (default 16 MiB), so a damaged length can never
 * make recovery allocate more than that.
 *
 * <h2>Recovery at open</h2>
 * <ul>
 *   <li>A torn last record is cut off and {@link #recovered()} says how many bytes went: the file
 *       ends inside a record header or payload, or the final record fails its checksum and ends
 *       exactly at the end of the file. A crash during a write or force leaves exactly these.</li>
 *   <li>A record that fails its checksum, or whose length exceeds {@code payloadBytesMax}, with
 *       more bytes after it is damage to data that may have been acknowledged:
 *       {@link CorruptLogException} with the file and the record's offset. When in doubt we stop
 *       rather than drop: a server that will not start is a crashed server, which the protocols
 *       tolerate; one that silently forgot acknowledged records is not.</li>
 *   <li>A missing or wrong file header is a {@link CorruptLogException} at offset 0.</li>
 * </ul>
 * Two limits of this format: a damaged length field that happens to point past the end of the
 * file looks exactly like a torn tail and is cut, not reported; and a crash in the middle of a
 * force whose pages reach the disk out of order can leave a hole in a record that is not the
 * last, which is reported as corruption although none of those records was acknowledged (safe,
 * but the operator has to act).
 */
public final class DurableLog implements Closeable {
    /** "RDBT-LOG". */
    private static final byte[] MAGIC = {'R', 'D', 'B', 'T', '-', 'L', 'O', 'G'};
    static final int FORMAT_VERSION = 1;
    static final int FILE_HEADER_BYTES = MAGIC.length + Integer.BYTES;
    static final int RECORD_HEADER_BYTES = 2 * Integer.BYTES;
    public static final int DEFAULT_PAYLOAD_BYTES_MAX = 16 << 20;
    /** Appends beyond this many unwritten bytes go to the OS early (still not durable until force). */
    private static final int WRITE_BUFFER_BYTES = 1 << 20;
    private static final int READ_BUFFER_BYTES = 1 << 16;

    /** What {@link #open} found at the end of the file. */
    public record Recovery(long endBytes, long truncatedBytes, String reason) {
        static Recovery clean(long endBytes) {
            return new Recovery(endBytes, 0, "");
        }

        public boolean truncated() {
            return truncatedBytes > 0;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final int payloadBytesMax;
    private List<Bytes> recordsAtOpen;
    private final Recovery recovery;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer writeBuffer = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
    private final ByteBuffer lengthBytes = ByteBuffer.allocate(Integer.BYTES);

    private long writtenEndBytes; // where the next write to the channel lands
    private boolean writtenNotForced;
    private boolean failed;
    private boolean closed;

    private long recordsAppended;
    private long forces;
    private long bytesWritten;

    private DurableLog(Path file, FileChannel channel, FileLock lock, int payloadBytesMax, List<Bytes> records,
            Recovery recovery) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.payloadBytesMax = payloadBytesMax;
        this.recordsAtOpen = records;
        this.recovery = recovery;
        this.writtenEndBytes = recovery.endBytes();
    }

    /** {@link #open(Path, int)} with payloads of at most {@link #DEFAULT_PAYLOAD_BYTES_MAX}. */
    public static DurableLog open(Path file) throws IOException {
        return open(file, DEFAULT_PAYLOAD_BYTES_MAX);
    }

    /**
     * Opens the log at {@code file}, creating it (and its directories) if absent, otherwise reading
     * every record and cutting off a torn tail (see the class comment).
     *
     * @throws CorruptLogException if the header or a record other than the last is damaged
     * @throws IOException if another process or another {@code DurableLog} holds the file, or on I/O failure
     */
    public static DurableLog open(Path file, int payloadBytesMax) throws IOException {
        if (payloadBytesMax < 0 || payloadBytesMax > Integer.MAX_VALUE - RECORD_HEADER_BYTES) {
            throw new IllegalArgumentException("payloadBytesMax = " + payloadBytesMax
                    + "; valid: 0 to " + (Integer.MAX_VALUE - RECORD_HEADER_BYTES));
        }
        Path absolute = file.toAbsolutePath();
        if (!Files.exists(absolute)) {
            create(absolute);
        }
        FileChannel channel = FileChannel.open(absolute, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = lockOrFail(absolute, channel);
            List<Bytes> records = new ArrayList<>();
            Recovery recovery = readAll(absolute, channel, payloadBytesMax, records);
            if (recovery.truncated()) {
                channel.truncate(recovery.endBytes());
                channel.force(false); // on Linux fdatasync, which also makes the new size durable
            }
            channel.position(recovery.endBytes());
            return new DurableLog(absolute, channel, lock, payloadBytesMax, Collections.unmodifiableList(records),
                    recovery);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Log compaction (issue 18): replaces the log at {@code file}, which no {@code DurableLog} may
     * hold open, by one that holds exactly {@code records}. Written and forced to a side file
     * first, then renamed over the old one and the directory forced, so a crash leaves either the
     * old log or the new one, whole.
     */
    public static void replace(Path file, List<Bytes> records) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path next = absolute.resolveSibling(absolute.getFileName() + ".compacting");
        Files.deleteIfExists(next);
        try (DurableLog log = open(next)) {
            for (Bytes r : records) log.append(r);
            log.force();
        }
        Files.move(next, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(absolute.getParent());
    }

    /** The records the file held when it was opened, in append order; later appends are not included. */
    public List<Bytes> records() {
        if (recordsAtOpen == null) throw new IllegalStateException("the records read at open were forgotten (forgetRecords)");
        return recordsAtOpen;
    }

    /**
     * Lets go of the records read at open: the server has restored itself from them, and held
     * here they would take memory for the life of the process (a snapshot among them may be large).
     */
    public void forgetRecords() {
        recordsAtOpen = null;
    }

    /** What open found: where the good records end and how much of a torn tail it cut off. */
    public Recovery recovered() {
        return recovery;
    }

    public Path file() {
        return file;
    }

    /**
     * Buffers {@code record}; it is not durable until {@link #force}. May write earlier appends to
     * the OS to keep the buffer bounded.
     *
     * @throws IllegalArgumentException if the record is longer than {@code payloadBytesMax}: a core
     *         persisting more than that is our bug, and we must not write a record we cannot read back
     */
    public void append(Bytes record) throws IOException {
        checkUsable();
        int payloadBytes = record.length();
        if (payloadBytes > payloadBytesMax) {
            throw new IllegalArgumentException("record of " + payloadBytes + " bytes exceeds payloadBytesMax = "
                    + payloadBytesMax + " for " + file);
        }
        lengthBytes.putInt(0, payloadBytes);
        crc.reset();
        crc.update(lengthBytes.array());
        crc.update(record.unsafeArray());
        int checksum = (int) crc.getValue();

        int recordBytes = RECORD_HEADER_BYTES + payloadBytes;
        try {
            if (recordBytes > writeBuffer.remaining()) {
                writeBuffered();
            }
            if (recordBytes <= writeBuffer.remaining()) {
                writeBuffer.putInt(payloadBytes).putInt(checksum).put(record.unsafeArray());
            } else { // larger than the whole buffer: straight to the channel, no copy
                ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES).putInt(payloadBytes).putInt(checksum);
                write(header.flip());
                write(ByteBuffer.wrap(record.unsafeArray()).asReadOnlyBuffer());
            }
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        recordsAppended++;
    }

    /**
     * Writes everything appended so far and waits until it is on disk ({@code FileChannel.force(false)}).
     * Does nothing if the log is clean.
     */
    public void force() throws IOException {
        checkUsable();
        try {
            writeBuffered();
            if (writtenNotForced) {
                channel.force(false);
                writtenNotForced = false;
                forces++;
            }
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }

    /** True if something appended is not yet durable. */
    public boolean dirty() {
        return writeBuffer.position() > 0 || writtenNotForced;
    }

    /** Length of the log in bytes, file header included, counting appends not yet forced. */
    public long sizeBytes() {
        return writtenEndBytes + writeBuffer.position();
    }

    /** Records appended since open (metrics). */
    public long recordsAppended() {
        return recordsAppended;
    }

    /** Forces that reached the disk since open; a force on a clean log is not counted (metrics). */
    public long forces() {
        return forces;
    }

    /** Bytes handed to the file since open, record headers included (metrics). */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Forces what was appended, then closes. After a failure it only releases the file: what is on
     * disk is whatever made it, and recovery will sort it out. Closing twice does nothing.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (!failed) {
                force();
            }
        } finally {
            closed = true;
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
        if (failed) {
            throw new IllegalStateException(file + " failed a write or force earlier; whether those bytes reached the"
                    + " disk is unknown, so the server must stop and recover from the file");
        }
    }

    private void writeBuffered() throws IOException {
        if (writeBuffer.position() == 0) {
            return;
        }
        writeBuffer.flip();
        write(writeBuffer);
        writeBuffer.clear();
    }

    private void write(ByteBuffer bytes) throws IOException {
        int length = bytes.remaining();
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        writtenEndBytes += length;
        bytesWritten += length;
        writtenNotForced = true;
    }

    private static FileLock lockOrFail(Path file, FileChannel channel) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM already holds it
        }
        if (lock == null) {
            throw new IOException(file + " is already open in this or another process;"
                    + " two servers must never share a data directory");
        }
        return lock;
    }

    /**
     * Writes the header to a side file and renames it into place, so a crash during creation leaves
     * either no log or a complete header, never a half-written one that looks like damage.
     */
    private static void create(Path file) throws IOException {
        Path directory = file.getParent();
        Files.createDirectories(directory);
        Path creating = file.resolveSibling(file.getFileName() + ".creating");
        try (FileChannel channel = FileChannel.open(creating, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_BYTES).put(MAGIC).putInt(FORMAT_VERSION).flip();
            while (header.hasRemaining()) {
                channel.write(header);
            }
            channel.force(true);
        }
        Files.move(creating, file, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(directory);
    }

    /** Makes the new directory entry durable, on platforms that let us open a directory (Linux, macOS). */
    private static void forceDirectory(Path directory) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(directory, StandardOpenOption.READ);
        } catch (IOException e) {
            return; // Windows: directories cannot be opened; the rename is as durable as the platform makes it
        }
        try (channel) {
            channel.force(true);
        }
    }

    /** Reads the header and every record into {@code records}; returns where the good records end. */
    private static Recovery readAll(Path file, FileChannel channel, int payloadBytesMax, List<Bytes> records)
            throws IOException {
        long fileBytes = channel.size();
        // Not closed: closing the stream would close the channel, which the log keeps.
        DataInputStream in = new DataInputStream(
                new BufferedInputStream(Channels.newInputStream(channel.position(0)), READ_BUFFER_BYTES));
        if (fileBytes < FILE_HEADER_BYTES) {
            throw new CorruptLogException(file, 0, "the file is " + fileBytes + " bytes, shorter than the "
                    + FILE_HEADER_BYTES + "-byte log header");
        }
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CorruptLogException(file, 0, "the file does not start with the log magic \"RDBT-LOG\";"
                    + " it is not a Redoubt log or its header is damaged");
        }
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException(file + ": log format version " + Integer.toUnsignedString(version)
                    + " is not supported; this build reads version " + FORMAT_VERSION);
        }

        CRC32C crc = new CRC32C();
        byte[] lengthBytes = new byte[Integer.BYTES];
        long offset = FILE_HEADER_BYTES;
        while (true) {
            long remainingBytes = fileBytes - offset;
            if (remainingBytes == 0) {
                return Recovery.clean(offset);
            }
            if (remainingBytes < RECORD_HEADER_BYTES) {
                return torn(offset, fileBytes, "the file ends inside a record header");
            }
            in.readFully(lengthBytes);
            int storedChecksum = in.readInt();
            long payloadBytes = Integer.toUnsignedLong(ByteBuffer.wrap(lengthBytes).getInt());
            long presentBytes = remainingBytes - RECORD_HEADER_BYTES;
            if (payloadBytes > payloadBytesMax) {
                if (presentBytes == 0) {
                    return torn(offset, fileBytes, "the file ends after a record header with an impossible length");
                }
                throw new CorruptLogException(file, offset, "record length " + payloadBytes
                        + " exceeds payloadBytesMax = " + payloadBytesMax + " and " + presentBytes + " bytes follow");
            }
            if (payloadBytes > presentBytes) {
                return torn(offset, fileBytes, "the file ends inside a record payload (" + presentBytes + " of "
                        + payloadBytes + " bytes present)");
            }
            byte[] payload = new byte[(int) payloadBytes];
            in.readFully(payload);
            crc.reset();
            crc.update(lengthBytes);
            crc.update(payload);
            if ((int) crc.getValue() != storedChecksum) {
                if (payloadBytes == presentBytes) {
                    return torn(offset, fileBytes, "the last record fails its checksum");
                }
                throw new CorruptLogException(file, offset, "record of " + payloadBytes
                        + " bytes fails its CRC32C checksum and " + (presentBytes - payloadBytes) + " bytes follow");
            }
            records.add(Bytes.wrap(payload));
            offset += RECORD_HEADER_BYTES + payloadBytes;
        }
    }

    private static Recovery torn(long endBytes, long fileBytes, String why) {
        return new Recovery(endBytes, fileBytes - endBytes, "torn record at byte offset " + endBytes + " cut off: " + why);
    }
}
