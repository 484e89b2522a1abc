package io.storegw.gateway.outbox;

/** The outbox holds its whole budget in critical events; the source should retry later (HTTP 503). */
public final class OutboxFullException extends RuntimeException {
    public OutboxFullException(String message) {
        super(message, null, false, false);
    }
}
