package io.storegw.gateway.outbox;

/**
 * The data of {@code gateway.alarm}.
 *
 * @param kind   what happened, for example {@code outbox.quarantined}
 * @param detail a sentence for the person on call
 * @param file   the file concerned, when there is one
 * @param sequencesUpTo sequence numbers up to this one may be missing for good (zero-padded); null when none
 */
public record Alarm(String kind, String detail, String file, String sequencesUpTo) {
}
