package io.storegw.gateway.core;

import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventType;

/** How a handler publishes: the pipeline turns each call into an {@link io.storegw.gateway.event.Event}. */
public interface Emitter {

    void emit(EventType type, String subject, DataClass dataClass, Object data);

    /**
     * Keeps a handler's state under {@code key} (or forgets it, with {@code null}) in the same outbox
     * transaction as the events of this step, so that after a crash the state and the events agree.
     */
    void save(String key, Object state);
}
