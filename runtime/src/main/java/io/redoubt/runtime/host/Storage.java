package io.redoubt.runtime.host;

import io.redoubt.lm.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * A server's stable storage as its host sees it: what the cores persisted before (handed back at
 * start), appends, and a force that makes every append durable. The host forces after each input
 * that appended, before that input's messages leave (Outbox's persist-before-send rule).
 */
public interface Storage extends AutoCloseable {
    /** What was persisted before this start, for the server to restore itself from; only until {@link #forgetRecords}. */
    List<Bytes> records();

    /** The server has restored itself from {@link #records()}: they need not be held any longer. */
    void forgetRecords();

    void append(Bytes record);

    /** Whether something was appended since the last force. */
    boolean dirty();

    /** Makes every append so far durable. */
    void force();

    /**
     * Log compaction (issue 18): the storage becomes exactly {@code records}, durably and
     * atomically (a crash leaves the old records or the new ones); appends continue after them.
     */
    void replaceAll(List<Bytes> records);

    @Override
    void close();

    /**
     * The server's append-only log at {@code file} ({@link io.redoubt.runtime.storage.DurableLog}):
     * a torn last record is cut off at open, a corrupt earlier one stops the server with the file
     * and offset. A failed write or force is thrown unchecked: the server must stop, since a
     * retried fsync that succeeds proves nothing.
     */
    static Storage durable(java.nio.file.Path file) throws java.io.IOException {
        io.redoubt.runtime.storage.DurableLog opened = io.redoubt.runtime.storage.DurableLog.open(file);
        return new Storage() {
            private io.redoubt.runtime.storage.DurableLog log = opened;

            public List<Bytes> records() {
                return log.records();
            }

            public void forgetRecords() {
                log.forgetRecords();
            }

            public void replaceAll(List<Bytes> records) {
                try {
                    log.close(); // forces what was appended: the old log stays whole until the rename
                    io.redoubt.runtime.storage.DurableLog.replace(log.file(), records);
                    log = io.redoubt.runtime.storage.DurableLog.open(log.file());
                    log.forgetRecords(); // read back only to check it opens; the server holds what it needs
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot compact " + log.file(), e);
                }
            }

            public void append(Bytes record) {
                try {
                    log.append(record);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot append to " + log.file(), e);
                }
            }

            public boolean dirty() {
                return log.dirty();
            }

            public void force() {
                try {
                    log.force();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot force " + log.file() + " to disk", e);
                }
            }

            public void close() {
                try {
                    log.close();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot close " + log.file(), e);
                }
            }
        };
    }

    /** Storage that lives and dies with the process: for tests that restart nothing. */
    static Storage inMemory() {
        return new Storage() {
            private final List<Bytes> records = new ArrayList<>();
            private boolean dirty;

            public List<Bytes> records() {
                return List.copyOf(records);
            }

            public void forgetRecords() {}

            public void replaceAll(List<Bytes> replacement) {
                records.clear();
                records.addAll(replacement);
                dirty = false;
            }

            public void append(Bytes record) {
                records.add(record);
                dirty = true;
            }

            public boolean dirty() {
                return dirty;
            }

            public void force() {
                dirty = false;
            }

            public void close() {}
        };
    }
}
