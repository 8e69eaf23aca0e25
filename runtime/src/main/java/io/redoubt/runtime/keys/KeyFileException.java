package io.redoubt.runtime.keys;

import java.nio.file.Path;

/**
 * Key material that cannot be written or used: missing, unreadable, corrupted, too open, or
 * generated for another server or another deployment. The message names the file and the fix,
 * because whoever reads it is an operator at a server's console, not a developer.
 */
public final class KeyFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeyFileException(Path file, String problem, String fix) {
        super(file + ": " + problem + "; " + fix);
    }

    KeyFileException(Path file, String problem, String fix, Throwable cause) {
        super(file + ": " + problem + "; " + fix, cause);
    }
}
