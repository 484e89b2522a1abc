package io.storegw.gateway.core;

/**
 * An instruction a handler will not carry out, for a reason its sender can act on (no room for another order, say):
 * the instruction's future fails with it, and the core loop goes on without logging a failure.
 */
public final class Declined extends RuntimeException {

    public Declined(String message) {
        super(message, null, false, false);
    }
}
