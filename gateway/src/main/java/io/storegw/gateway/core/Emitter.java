package io.storegw.gateway.core;

import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventType;

/** How a handler publishes: the pipeline turns each call into an {@link io.storegw.gateway.event.Event}. */
@FunctionalInterface
public interface Emitter {

    void emit(EventType type, String subject, DataClass dataClass, Object data);
}
