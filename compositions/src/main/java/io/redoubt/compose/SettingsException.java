package io.redoubt.compose;

/** A configuration error a person can fix from the message alone: it names the key, the value and what would be valid. */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }
}
