package io.storegw.gateway.core;

import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.outbox.Alarm;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongFunction;

/**
 * What a handler left out past one of its limits, said in a {@code gateway.alarm} at most once an hour.
 *
 * <p>A limit is met when something floods the gateway (advertising spam, made-up receivers); the flood
 * goes on for as long as it lasts, so the alarm says that it does, not every time. Core thread only.
 */
public final class LeftOut {

    private static final Duration EVERY = Duration.ofHours(1);

    private final String kind;
    private final String subject;
    private long count;
    private Instant alarmedAt;

    /** @param kind the alarm's kind, {@code presence.receivers} say; @param subject the alarm's subject */
    public LeftOut(String kind, String subject) {
        this.kind = kind;
        this.subject = subject;
    }

    /** One more thing left out. */
    public void add() {
        count++;
    }

    /**
     * Emits the alarm, with {@code detail} of what was left out since the last one (or the start), when that is
     * anything and no alarm went out within the hour before {@code now}. A clock set back (now before the last
     * alarm) makes it due, so a step does not silence it for the step's length.
     */
    public void sayIfDue(Instant now, Emitter out, LongFunction<String> detail) {
        if (count > 0 && (alarmedAt == null || !now.isBefore(alarmedAt.plus(EVERY)) || now.isBefore(alarmedAt))) {
            alarmedAt = now;
            out.emit(EventCatalogue.GATEWAY_ALARM, subject, DataClass.ANONYMOUS, new Alarm(kind, detail.apply(count), null, null));
            count = 0;
        }
    }
}
