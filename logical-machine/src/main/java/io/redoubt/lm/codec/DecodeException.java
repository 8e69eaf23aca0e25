package io.redoubt.lm.codec;

/**
 * Thrown by decoders when untrusted bytes are not a valid encoding. Callers at the edge of a
 * core catch it, count the rejection and drop the input; it never escapes a core.
 */
public final class DecodeException extends Exception {
    public DecodeException(String message) {
        super(message, null, false, false); // no stack trace: garbage input is routine, not a bug
    }
}
