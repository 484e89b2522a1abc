package io.storegw.gateway.outbox;

import java.util.ArrayList;
import java.util.List;

/**
 * The last events committed, in sequence order, for {@code storegw events tail}: what the gateway
 * publishes, visible locally even while the uplink is down. A fixed ring, so following costs no disk
 * reads and a slow reader cannot hold memory.
 */
final class RecentEvents {

    private final OutboxRow[] ring;
    private long newestSeq;

    RecentEvents(int capacity) {
        this.ring = new OutboxRow[capacity];
    }

    synchronized void add(OutboxRow row) {
        ring[(int) (row.seq() % ring.length)] = row;
        newestSeq = row.seq();
    }

    /** Up to {@code limit} events after {@code afterSeq}, oldest first; those already overwritten are skipped. */
    synchronized Page after(long afterSeq, int limit) {
        long from = Math.max(afterSeq + 1, newestSeq - ring.length + 1);
        List<OutboxRow> rows = new ArrayList<>();
        for (long seq = Math.max(1, from); seq <= newestSeq && rows.size() < limit; seq++) {
            OutboxRow row = ring[(int) (seq % ring.length)];
            if (row != null && row.seq() == seq) {
                rows.add(row);
            }
        }
        long next = rows.isEmpty() ? Math.max(afterSeq, Math.min(newestSeq, from - 1)) : rows.get(rows.size() - 1).seq();
        return new Page(rows, Math.max(0, from - afterSeq - 1), next);
    }

    /**
     * @param skipped events after the asked sequence that were no longer held
     * @param next    the sequence to ask after next time
     */
    record Page(List<OutboxRow> rows, long skipped, long next) {
    }
}
