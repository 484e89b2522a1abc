package io.storegw.drivers.localmqtt;

/** A local message that is not what its topic promises; counted, dead-lettered, and the pipeline goes on. */
final class BadMessage extends Exception {

    /** @param reason short, for the counter's label: {@code malformed}, {@code unknown-id}, ... */
    private final String reason;

    BadMessage(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
