package io.storegw.gateway.outbox;

import java.util.List;

/**
 * The newest committed rows that are still in the store, held in memory so that an uplink keeping up
 * reads them without the disk and without waiting for the commit in progress.
 *
 * <p>It mirrors the store exactly from its floor up: the committer adds a commit's rows and removes the
 * rows that commit deleted (acknowledged, shed, expired, purged) in one step, after the commit's sync,
 * so a read here sees what a read of the store would see. A row pushed out by newer ones (the ring is
 * bounded in rows and in bytes) raises the floor; reads below the floor go to the store.
 */
final class UnsentRows {

    private final RowRing rows;

    UnsentRows(int capacity, long maxBytes, long nextSeq) {
        this.rows = new RowRing(capacity, maxBytes, nextSeq);
    }

    /** One commit, once it is synced: the rows it wrote (in sequence order) and the sequence numbers it deleted. */
    synchronized void committed(List<OutboxRow> written, long[] deleted, int deletedCount) {
        written.forEach(rows::add);
        // After the rows written: a commit over its budget may shed rows it has just written.
        for (int i = 0; i < deletedCount; i++) {
            rows.remove(deleted[i]);
        }
    }

    /**
     * Up to {@code limit} rows after {@code afterSeq}, oldest first, as the store holds them, stopping once
     * {@code maxBytes} are reached (at least one row); or null when rows after {@code afterSeq} may be
     * below the floor, and only the store can say.
     */
    synchronized List<OutboxRow> after(long afterSeq, int limit, long maxBytes) {
        if (afterSeq + 1 < rows.floor()) {
            return null;
        }
        return rows.from(afterSeq + 1, limit, maxBytes);
    }
}
