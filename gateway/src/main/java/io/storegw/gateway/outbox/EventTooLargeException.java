package io.storegw.gateway.outbox;

/** An event is larger than a row may be; sending the same input again will not help (HTTP 422). */
public final class EventTooLargeException extends RuntimeException {
    public EventTooLargeException(String message) {
        super(message, null, false, false);
    }
}
