package io.storegw.gateway.outbox;

/**
 * The data of {@code gateway.alarm}.
 *
 * @param kind          what happened, for example {@code outbox.quarantined}
 * @param detail        a sentence for the person on call
 * @param file          the file concerned, when there is one
 * @param sequencesUpTo the events the alarm is about are those up to this sequence (zero-padded): for
 *                      {@code outbox.rolledback}, {@code outbox.quarantined} and {@code outbox.salvaged} they may be missing for good, for
 *                      {@code clock.stepped} they were stamped before the step; null when none
 * @param stepMillis    for {@code clock.stepped}, by how much the clock was set (negative: back); null otherwise
 */
public record Alarm(String kind, String detail, String file, String sequencesUpTo, Long stepMillis) {

    public Alarm(String kind, String detail, String file, String sequencesUpTo) {
        this(kind, detail, file, sequencesUpTo, null);
    }
}
