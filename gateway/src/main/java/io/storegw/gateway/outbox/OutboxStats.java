package io.storegw.gateway.outbox;

import io.storegw.gateway.event.EventClass;

/**
 * A snapshot of the backlog.
 *
 * @param committedSeq  the highest sequence number made durable so far (0 before the first)
 * @param oldestMillis  when the oldest queued event was written (epoch ms, on today's clock: a step of the clock since is
 *                      counted out), or 0 when the outbox is empty
 */
public record OutboxStats(long rows, long bytes, long committedSeq, long oldestMillis, long fileBytes) {

    /** What waits of one class. */
    public record ClassBacklog(EventClass eventClass, long rows, long bytes) {
    }
}
