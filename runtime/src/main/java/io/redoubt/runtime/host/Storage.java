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
    List<Bytes> records();

    void append(Bytes record);

    /** Whether something was appended since the last force. */
    boolean dirty();

    /** Makes every append so far durable. */
    void force();

    @Override
    void close();

    /** Storage that lives and dies with the process: for tests that restart nothing. */
    static Storage inMemory() {
        return new Storage() {
            private final List<Bytes> records = new ArrayList<>();
            private boolean dirty;

            public List<Bytes> records() {
                return List.copyOf(records);
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
