package io.storegw.gateway.core;

import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventType;

/** How a handler publishes: the pipeline turns each call into an {@link io.storegw.gateway.event.Event}. */
public interface Emitter {

    void emit(EventType type, String subject, DataClass dataClass, Object data);

    /**
     * Emits a pseudonymous event about one member, so that revoking their consent can find it while
     * it is queued. Emitters that keep events must override this to keep the member.
     */
    default void emitAbout(String member, EventType type, String subject, Object data) {
        emit(type, subject, DataClass.PSEUDONYMOUS, data);
    }

    /**
     * Keeps a handler's state under {@code key} (or forgets it, with {@code null}) in the same outbox
     * transaction as the events of this step, so that after a crash the state and the events agree.
     */
    void save(String key, Object state);
}
