package io.storegw.gateway.testing;

import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An {@link Emitter} for handler tests: keeps what was emitted, and the saved state as the outbox would (null forgets). */
public final class RecordingEmitter implements Emitter {

    /** One emitted event; {@code member} is set for events emitted about a member. */
    public record Emitted(EventType type, String subject, DataClass dataClass, Object data, String member) {
    }

    public final List<Emitted> emitted = new ArrayList<>();
    public final Map<String, Object> saved = new HashMap<>();

    @Override
    public void emit(EventType type, String subject, DataClass dataClass, Object data) {
        emitted.add(new Emitted(type, subject, dataClass, data, null));
    }

    @Override
    public void emitAbout(String member, EventType type, String subject, Object data) {
        emitted.add(new Emitted(type, subject, DataClass.PSEUDONYMOUS, data, member));
    }

    @Override
    public void save(String key, Object state) {
        if (state == null) {
            saved.remove(key);
        } else {
            saved.put(key, state);
        }
    }

    /** The data of the events emitted, in order. */
    public List<Object> data() {
        return emitted.stream().map(Emitted::data).toList();
    }

    /** The data of the events of one type, in order. */
    public List<Object> data(EventType type) {
        return emitted.stream().filter(e -> e.type().equals(type)).map(Emitted::data).toList();
    }
}
