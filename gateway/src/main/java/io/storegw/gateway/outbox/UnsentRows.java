package io.storegw.gateway.outbox;

import java.util.ArrayList;
import java.util.List;

/**
 * The newest committed rows that are still in the store, held in memory so that an uplink keeping up
 * reads them without the disk and without waiting for the commit in progress.
 *
 * <p>It mirrors the store exactly from its floor up: the committer adds a commit's rows and removes the
 * rows that commit deleted (acknowledged, shed, expired, purged) in one step, after the commit's sync,
 * so a read here sees what a read of the store would see. A row pushed out by newer ones raises the
 * floor; reads below the floor go to the store.
 */
final class UnsentRows {

    private final OutboxRow[] ring;
    /** The lowest sequence number held here if it is in the store. */
    private long floor;
    private long newestSeq;

    UnsentRows(int capacity, long nextSeq) {
        this.ring = new OutboxRow[capacity];
        this.floor = nextSeq;
        this.newestSeq = nextSeq - 1;
    }

    /** One commit, once it is synced: the rows it wrote (in sequence order) and the sequence numbers it deleted. */
    synchronized void committed(List<OutboxRow> written, long[] deleted, int deletedCount) {
        for (OutboxRow row : written) {
            if (row.seq() - ring.length >= floor) {
                floor = row.seq() - ring.length + 1;
            }
            ring[slot(row.seq())] = row;
            newestSeq = row.seq();
        }
        // After the rows written: a commit over its budget may shed rows it has just written.
        for (int i = 0; i < deletedCount; i++) {
            int slot = slot(deleted[i]);
            if (ring[slot] != null && ring[slot].seq() == deleted[i]) {
                ring[slot] = null;
            }
        }
    }

    /**
     * Up to {@code limit} rows after {@code afterSeq}, oldest first, as the store holds them; or null when
     * rows after {@code afterSeq} may be below the floor, and only the store can say.
     */
    synchronized List<OutboxRow> after(long afterSeq, int limit) {
        if (afterSeq + 1 < floor) {
            return null;
        }
        List<OutboxRow> rows = new ArrayList<>(Math.min(limit, (int) Math.max(0, newestSeq - afterSeq)));
        for (long seq = afterSeq + 1; seq <= newestSeq && rows.size() < limit; seq++) {
            OutboxRow row = ring[slot(seq)];
            if (row != null && row.seq() == seq) {
                rows.add(row);
            }
        }
        return rows;
    }

    private int slot(long seq) {
        return (int) (seq % ring.length);
    }
}
