package io.storegw.drivers.source;

import io.storegw.drivers.observation.Observation;
import java.util.concurrent.CompletionStage;

/** Where a source hands its observations; implemented by the gateway's core loop. */
@FunctionalInterface
public interface ObservationSink {

    /**
     * Hands one observation over, blocking while the gateway's queue is full (back-pressure).
     *
     * @return completes when every event made from the observation is durable in the outbox;
     *         only then may a source acknowledge it to its own sender. Fails when the gateway
     *         refused it (for example, the outbox is full of critical events).
     */
    CompletionStage<Void> accept(Observation observation) throws InterruptedException;

    /**
     * Tells the gateway a source refused an input (malformed, unauthorised, too large, ...), so it is
     * counted by source and reason, and the technician reads why in {@code storegw status} and the journal;
     * the source has already answered its sender.
     *
     * @param reason short, for the counter's label: {@code malformed}, {@code unauthorized}, ...
     * @param detail one line saying which input and what was wrong with it; never a device's address, a key
     *               or a card number (it is logged: docs/privacy.md)
     */
    default void refused(String source, String reason, String detail) {
    }

    /**
     * Tells the gateway something happened to a source that an operator should see counted (its
     * Bluetooth adapter vanished, the daemon behind it restarted), by source and event.
     */
    default void counted(String source, String event) {
    }
}
