package io.storegw.drivers.source;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why the gateway did not take an observation, so a source can tell its sender the right thing:
 * try again later, or do not send this one again.
 */
public final class Refused extends RuntimeException {

    /** What the sender should do. */
    public enum Retry {
        /** The gateway is full or stopping: the same input will be taken later. */
        LATER,
        /** The gateway cannot make events of this input (a handler failed on it): sending it again will not help. */
        NEVER
    }

    private final Retry retry;

    public Refused(Retry retry, String message, Throwable cause) {
        super(message, cause);
        this.retry = retry;
    }

    public Retry retry() {
        return retry;
    }

    /** The refusal behind a failed hand-over; anything untyped counts as "later", the safe side for a sender that keeps its data. */
    public static Refused of(Throwable failure) {
        Throwable t = failure;
        while (t != null) {
            if (t instanceof Refused r) {
                return r;
            }
            t = t.getCause();
        }
        Throwable why = failure;
        while ((why instanceof CompletionException || why instanceof ExecutionException) && why.getCause() != null) {
            why = why.getCause(); // a future's wrapper says only "java.lang.X: " before the message that tells
        }
        return new Refused(Retry.LATER, why == null ? "refused" : why.getMessage(), failure);
    }
}
