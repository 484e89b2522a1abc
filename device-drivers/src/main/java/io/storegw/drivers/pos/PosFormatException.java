package io.storegw.drivers.pos;

/** Till input that cannot be taken: malformed or hostile XML, invalid JSON, a missing required field. */
public final class PosFormatException extends Exception {
    public PosFormatException(String message) {
        super(message);
    }

    public PosFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
