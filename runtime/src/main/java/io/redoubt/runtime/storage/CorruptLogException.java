package io.redoubt.runtime.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link DurableLog} file is damaged somewhere other than a torn tail, so records that were
 * acknowledged to others may be unreadable. The server must not start from it: restarting with
 * a shortened log could make it forget a promise or an accepted value and act against its own
 * word. The message names the file, the byte offset and what the operator can do.
 */
public final class CorruptLogException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final long offsetBytes;

    CorruptLogException(Path file, long offsetBytes, String problem) {
        super(file + ": corrupt at byte offset " + offsetBytes + ": " + problem
                + ". The server cannot trust its log past this point and will not start;"
                + " restore this server's data directory from a replica or remove it to rejoin as a new server.");
        this.file = file;
        this.offsetBytes = offsetBytes;
    }

    public Path file() {
        return file;
    }

    /** Where the bad record (or the bad file header, at 0) starts. */
    public long offsetBytes() {
        return offsetBytes;
    }
}
