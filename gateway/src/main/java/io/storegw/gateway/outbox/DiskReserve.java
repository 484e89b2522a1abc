package io.storegw.gateway.outbox;

import io.storegw.drivers.Errors;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tinylog.Logger;

/**
 * Keeps the outbox from filling its disk. While the file system that holds it has less than the reserve free,
 * the outbox takes no more room than it held when that began (at least {@value #LOW_BUDGET_FLOOR} bytes): past
 * that, bulk then normal events are shed and critical ones pushed back, as past the budget.
 *
 * <p>Why a reserve and not the budget alone: the budget counts events, the disk is shared (logs, updates, other
 * files), and H2 writes every change as a new chunk, so a file that cannot grow cannot even delete what central
 * has (measured: with its file held at its size, the outbox refused every commit, deletions too, and never
 * drained). The reserve keeps room for those commits and for the compaction after the drain.
 */
final class DiskReserve {

    /** Room kept free unless the config says otherwise: a few commits of the largest events and a compaction. */
    static final long DEFAULT_BYTES = 64L << 20;
    /** While the disk is short, the outbox may still hold this much: a store keeps running while the uplink is up. */
    private static final long LOW_BUDGET_FLOOR = 4L << 20;
    /** The disk is not short any more once it has this much above the reserve, so a disk at the edge does not flap. */
    private static final long RECOVERY_MARGIN = 16L << 20;

    private final Path where;
    private final long reserve;
    /** Found at the first look: a gateway must start even where the JDK cannot tell the file system (a sandbox). */
    private FileStore disk;
    private volatile long free = -1; // read by the metrics
    /** What the outbox may hold while the disk is short; -1 while it is not. */
    private long lowBudget = -1;
    private boolean probeFailed;

    DiskReserve(Path where, long reserveBytes) {
        this.where = where;
        this.reserve = reserveBytes;
    }

    /**
     * Looks at the free space again, with the outbox holding {@code heldBytes}; the alarm for central when the
     * disk has just become short, else null.
     */
    Alarm check(long heldBytes) {
        try {
            if (disk == null) {
                disk = Files.getFileStore(where);
            }
            free = disk.getUsableSpace();
            probeFailed = false;
        } catch (IOException e) {
            if (!probeFailed) {
                Logger.warn("Cannot tell the free space at {} ({}); keeping the outbox's budget as it was", where, Errors.describe(e));
            }
            probeFailed = true;
            return null;
        }
        if (lowBudget < 0 && free < reserve) {
            lowBudget = Math.max(LOW_BUDGET_FLOOR, heldBytes);
            Logger.warn("Only {} bytes free at {} (reserve {}): the outbox takes no more than the {} bytes it may hold now",
                    free, where, reserve, lowBudget);
            return new Alarm("outbox.disk-short", "The disk holding the outbox has " + free / (1 << 20) + " MB free, less than"
                    + " its reserve of " + reserve / (1 << 20) + " MB: until space is freed, the outbox takes no more than the "
                    + lowBudget + " bytes of events it may hold now; past that, bulk then normal events are shed (reported as"
                    + " dropped, reason budget) and tills are told to come back.", where.toString(), null);
        }
        if (lowBudget >= 0 && free >= reserve + RECOVERY_MARGIN) {
            Logger.info("{} bytes free at {} again: the outbox's budget is its own again", free, where);
            lowBudget = -1;
        }
        return null;
    }

    /** The budget in force: {@code configured}, or less while the disk is short. */
    long budget(long configured) {
        return lowBudget < 0 ? configured : Math.min(configured, lowBudget);
    }

    /** Free bytes at the last look; -1 before the first. */
    long free() {
        return free;
    }

    /** For the health check; null while the disk has its reserve. */
    String problem() {
        return lowBudget < 0 ? null : "only " + free + " bytes free at " + where + " (reserve " + reserve
                + "): the outbox takes no more than " + lowBudget + " bytes";
    }
}
