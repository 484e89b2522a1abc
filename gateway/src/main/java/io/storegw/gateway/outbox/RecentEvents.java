package io.storegw.gateway.outbox;

import java.util.List;

/**
 * The last events committed, in sequence order, for {@code storegw events tail}: what the gateway
 * publishes, visible locally even while the uplink is down. A fixed ring, bounded in events and in
 * bytes, so following costs no disk reads and a slow reader cannot hold memory.
 */
final class RecentEvents {

    private final RowRing rows;

    RecentEvents(int capacity, long maxBytes) {
        this.rows = new RowRing(capacity, maxBytes, 1);
    }

    synchronized void add(OutboxRow row) {
        rows.add(row);
    }

    /** Up to {@code limit} events after {@code afterSeq}, oldest first; those no longer held are skipped. */
    synchronized Page after(long afterSeq, int limit) {
        long from = Math.max(afterSeq + 1, rows.floor());
        List<OutboxRow> page = rows.from(from, limit, Long.MAX_VALUE);
        long next = page.isEmpty() ? Math.max(afterSeq, Math.min(rows.newest(), from - 1)) : page.get(page.size() - 1).seq();
        return new Page(page, Math.max(0, from - afterSeq - 1), next);
    }

    /**
     * @param skipped events after the asked sequence that were no longer held
     * @param next    the sequence to ask after next time
     */
    record Page(List<OutboxRow> rows, long skipped, long next) {
    }
}
