package io.storegw.gateway.outbox;

import io.storegw.gateway.event.EventClass;

/**
 * A snapshot of the backlog.
 *
 * @param committedSeq  the highest sequence number made durable so far (0 before the first)
 * @param oldestMillis  creation time of the oldest queued event, or 0 when the outbox is empty
 */
public record OutboxStats(long rows, long bytes, long committedSeq, long oldestMillis, long fileBytes) {

    /** What waits of one class. */
    public record ClassBacklog(EventClass eventClass, long rows, long bytes) {
    }
}
