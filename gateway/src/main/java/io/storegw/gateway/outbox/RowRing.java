package io.storegw.gateway.outbox;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Committed rows by sequence number in a fixed ring, bounded in rows and in payload bytes: the oldest
 * give way to newer ones. An event may be as large as the outbox takes (about 1 MB), so a bound in rows
 * alone let a few hundred large events fill the heap. Not thread-safe: its owner locks.
 */
final class RowRing {

    private final OutboxRow[] ring;
    private final long maxBytes;
    /** The lowest sequence number that may be held. */
    private long floor;
    private long newest;
    private long bytes;

    RowRing(int capacity, long maxBytes, long floor) {
        this.ring = new OutboxRow[capacity];
        this.maxBytes = maxBytes;
        this.floor = floor;
        this.newest = floor - 1;
    }

    /** Adds the next row (sequence numbers rise); the newest row stays whatever its size. */
    void add(OutboxRow row) {
        dropBelow(row.seq() - ring.length + 1);
        ring[slot(row.seq())] = row;
        bytes += row.payload().length;
        newest = row.seq();
        while (bytes > maxBytes && floor < newest) {
            dropBelow(floor + 1);
        }
    }

    /** Forgets a row; nothing happens if it is not held. */
    void remove(long seq) {
        int slot = slot(seq);
        OutboxRow row = ring[slot];
        if (row != null && row.seq() == seq) {
            ring[slot] = null;
            bytes -= row.payload().length;
        }
    }

    long floor() {
        return floor;
    }

    long newest() {
        return newest;
    }

    /** The rows held from {@code seq} on, oldest first, up to {@code limit} rows or until {@code maxBytes} are reached (at least one). */
    List<OutboxRow> from(long seq, int limit, long maxBytes) {
        List<OutboxRow> rows = new ArrayList<>(Math.min(limit, (int) Math.max(0, Math.min(ring.length, newest - seq + 1))));
        long size = 0;
        for (long s = Math.max(seq, floor); s <= newest && rows.size() < limit && (rows.isEmpty() || size < maxBytes); s++) {
            OutboxRow row = ring[slot(s)];
            if (row != null && row.seq() == s) {
                rows.add(row);
                size += row.payload().length;
            }
        }
        return rows;
    }

    private void dropBelow(long seq) {
        if (newest < seq) { // nothing held survives: skip the walk (a store reopened at sequence 1,000,000 starts here)
            Arrays.fill(ring, null);
            bytes = 0;
            floor = Math.max(floor, seq);
            return;
        }
        for (; floor < seq; floor++) {
            remove(floor);
        }
    }

    private int slot(long seq) {
        return (int) (seq % ring.length);
    }
}
