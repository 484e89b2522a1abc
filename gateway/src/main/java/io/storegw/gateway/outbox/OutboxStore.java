package io.storegw.gateway.outbox;

import io.storegw.gateway.event.EventClass;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.MVStoreTool;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;

/**
 * The outbox's file: H2's MVStore used directly, with a map of events per class, the idempotency keys,
 * handler state and the next sequence number. Knows maps and their layout, nothing of batching or policy.
 *
 * <p>Nothing reaches the file but through {@link #commit()}, which writes one chunk holding every map's
 * changes since the last one (auto-commit is off, also by memory), and {@link #sync()} forces it to the
 * device: a commit is all or nothing under {@code kill -9} and power cuts. Space freed by a commit is
 * reused at once (retention time 0), which keeps the file proportional to the backlog as long as
 * {@link #tidy()} frees the chunks that keep a few live pages. The file lock is an OS lock, released
 * when a killed process dies.
 *
 * <p>Why not H2's SQL tables, which the outbox used until 2026-12: the committer was the gateway's
 * bottleneck and most of its time went into H2's row machinery (undo log, unique-index checks, a
 * secondary index, value conversions). The same operations on maps took a fifth of the time per event
 * (measured: 47-53 vs 10-12 µs per event with the commit and fsync, batches of 300), and a map per class
 * makes the class index unnecessary.
 *
 * <p>Writes come from the committer's thread only. Reads from other threads see the maps as they are,
 * including what the committer has written but not yet committed, so they bound themselves by the
 * committed sequence number ({@link #read}); and they pin the version they read ({@link #pinned}), because
 * with a retention time of 0 the committer would otherwise reuse the space of pages they are still reading.
 */
final class OutboxStore implements AutoCloseable {

    static final String SUFFIX = ".mv";
    /** The longest idempotency key; sources hash anything longer. */
    static final int MAX_KEY = 256;
    /** Where a compaction writes the new file before it replaces the old one. */
    private static final String COMPACTING = ".compacting";
    /** H2's page cache: the outbox reads what it has just written, so a small cache hits. */
    private static final int CACHE_MB = 2;
    /** {@link #tidy()} works on a file larger than this ... */
    private static final long TIDY_ABOVE_BYTES = 8L << 20;
    /** ... while less than this percent of the chunks' bytes is live ... */
    private static final int TIDY_BELOW_FILL_PERCENT = 50;
    /** ... every this many calls ... */
    private static final int TIDY_EVERY = 4;
    /** ... moving at most this many live bytes. */
    private static final int TIDY_MOVE_BYTES = 256 << 10;
    /** A salvage commits its copy every this many events (unsynced; it syncs once, at the end). */
    private static final int SALVAGE_COMMIT_EVERY = 1_000;
    private static final String NEXT_SEQ = "next_seq";
    /** The clock steps the rows' times are behind today's clock by ({@link Timeline}). */
    private static final String CLOCK_OFFSET = "clock_offset";
    /** Followed by a class's ordinal. */
    private static final String BYTES = "bytes.";
    /** In the saved map (the handlers' keys have prefixes of their own): whose events the file numbers. */
    private static final String IDENTITY = "gateway/identity";

    private final Path base;
    private final MVStore file;
    private final List<MVMap<Long, StoredEvent>> events = new ArrayList<>();
    /** Idempotency key → when it was remembered. */
    private final MVMap<byte[], Long> keys;
    /** The keys in the order they were remembered, to forget the expired ones without a time index. */
    private final MVMap<Long, byte[]> keysInOrder;
    private final MVMap<String, byte[]> saved;
    private final MVMap<String, Long> meta;
    private long nextKeyOrder;
    private int untilTidy;

    private OutboxStore(Path base, MVStore file) {
        this.base = base;
        this.file = file;
        for (EventClass cls : EventClass.values()) {
            events.add(file.openMap("events." + cls.name().toLowerCase(java.util.Locale.ROOT),
                    new MVMap.Builder<Long, StoredEvent>().keyType(LongDataType.INSTANCE).valueType(StoredEvent.Type.INSTANCE)));
        }
        keys = file.openMap("keys", new MVMap.Builder<byte[], Long>().keyType(Utf8Type.Bytes.INSTANCE).valueType(LongDataType.INSTANCE));
        keysInOrder = file.openMap("keys.in_order",
                new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        saved = file.openMap("saved", new MVMap.Builder<String, byte[]>().keyType(Utf8Type.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        meta = file.openMap("meta", new MVMap.Builder<String, Long>().keyType(Utf8Type.INSTANCE).valueType(LongDataType.INSTANCE));
        Long last = keysInOrder.lastKey();
        nextKeyOrder = last == null ? 1 : last + 1;
    }

    /**
     * Opens (or creates) the store at {@code base} ({@value #SUFFIX} is added).
     *
     * @throws org.h2.mvstore.MVStoreException when the file is damaged, not a store, or locked by another process
     */
    static OutboxStore open(Path base) throws IOException {
        // A compaction cut short left its new file beside the old one, which is still whole.
        Files.deleteIfExists(Path.of(base + SUFFIX + COMPACTING));
        MVStore file = new MVStore.Builder().fileName(base + SUFFIX).autoCommitDisabled().autoCommitBufferSize(0)
                .cacheSize(CACHE_MB).open();
        try {
            file.setRetentionTime(0);
            return new OutboxStore(base, file);
        } catch (RuntimeException e) {
            file.closeImmediately();
            throw e;
        }
    }

    Path file() {
        return Path.of(base + SUFFIX);
    }

    /** Whether {@code e} says the file is damaged (a page or chunk that does not read), not full or locked. */
    static boolean damage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MVStoreException m) {
                int code = m.getErrorCode();
                if (code == DataUtils.ERROR_FILE_CORRUPT || code == DataUtils.ERROR_READING_FAILED
                        || code == DataUtils.ERROR_CHUNK_NOT_FOUND || code == DataUtils.ERROR_BLOCK_NOT_FOUND) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * What {@link #salvage} carried over.
     *
     * @param events     the events copied
     * @param unreadable the stretches of the maps it could not read
     */
    record Salvaged(OutboxStore store, long events, int unreadable) {
    }

    /**
     * Carries what can still be read of the damaged file {@code damaged} into a fresh store at {@code base}: the
     * events around each stretch that does not read (an unreadable page covers a range of keys, found by
     * probing), the keys and saved state up to the first damage in their maps, and the clock offset. Committed and
     * synced before it returns; {@code nextSeq} is kept whatever the damaged file says, and the byte counts are the
     * copy's.
     */
    static Salvaged salvage(Path base, Path damaged, long nextSeq) throws IOException {
        OutboxStore to = open(base);
        long events = 0;
        int unreadable = 0;
        long[] bytes = new long[to.events.size()];
        MVStore file = null;
        try {
            file = new MVStore.Builder().fileName(damaged.toString()).readOnly().cacheSize(CACHE_MB).open();
            OutboxStore from = new OutboxStore(base, file);
            to.setClockOffset(from.clockOffset());
            long[] uncommitted = {0};
            for (int c = 0; c < from.events.size(); c++) {
                int cls = c;
                long[] copied = copyReadable(from.events.get(c), to.events.get(c), v -> {
                    bytes[cls] += v.summary()[2];
                    if (++uncommitted[0] % SALVAGE_COMMIT_EVERY == 0) {
                        to.commit(); // H2 holds what is not committed in the heap: a backlog of 1 GB would not fit
                    }
                });
                events += copied[0];
                unreadable += (int) copied[1];
            }
            unreadable += (int) copyReadable(from.keysInOrder, to.keysInOrder, v -> { })[1];
            unreadable += copyUntilUnreadable(from.keys, to.keys);
            unreadable += copyUntilUnreadable(from.saved, to.saved);
            Long lastOrder = to.keysInOrder.lastKey();
            to.nextKeyOrder = lastOrder == null ? 1 : lastOrder + 1;
        } catch (RuntimeException unopenable) {
            unreadable++; // the file or a map's root does not read: nothing more to carry
        } finally {
            if (file != null) {
                file.closeImmediately();
            }
        }
        try {
            to.setBytes(bytes); // what was copied, also when a map stopped reading half way
            to.setNextSeq(nextSeq);
            to.commit();
            to.sync();
        } catch (RuntimeException e) { // a full disk, say: the caller puts the damaged file back
            to.file.closeImmediately();
            throw e;
        }
        return new Salvaged(to, events, unreadable);
    }

    /** Copies every entry whose page reads, resuming past each stretch that does not; {rows, stretches}. */
    private static <V> long[] copyReadable(MVMap<Long, V> from, MVMap<Long, V> to, Consumer<V> each) {
        long rows = 0;
        int stretches = 0;
        long next = Long.MIN_VALUE;
        while (true) {
            try {
                for (Cursor<Long, V> cursor = from.cursor(next); cursor.hasNext(); ) {
                    long key = cursor.next();
                    V value = cursor.getValue();
                    to.put(key, value);
                    each.accept(value);
                    rows++;
                    next = key + 1;
                }
                return new long[] {rows, stretches};
            } catch (RuntimeException unreadablePage) {
                stretches++;
                Long resume = firstReadableAfter(from, next);
                if (resume == null) {
                    return new long[] {rows, stretches};
                }
                next = resume;
            }
        }
    }

    /**
     * The first key past the unreadable stretch that {@code from} is in, or null when none: the keys whose lookups
     * fail are one range (they lead to the same bad page), so its end is found by doubling, then halving.
     */
    private static Long firstReadableAfter(MVMap<Long, ?> map, long from) {
        long bad = from;
        long good;
        for (long step = 1; ; step <<= 1) {
            long probe = from + step;
            if (probe <= from || step <= 0) {
                return null; // past the largest key: nothing after the stretch reads
            }
            if (reads(map, probe)) {
                good = probe;
                break;
            }
            bad = probe;
        }
        while (good - bad > 1) {
            long mid = bad + (good - bad) / 2;
            if (reads(map, mid)) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        return map.ceilingKey(good);
    }

    private static boolean reads(MVMap<Long, ?> map, long key) {
        try {
            map.ceilingKey(key);
            return true;
        } catch (RuntimeException unreadablePage) {
            return false;
        }
    }

    /** Copies a map in key order up to its first unreadable page; 1 when it met one. */
    private static <K, V> int copyUntilUnreadable(MVMap<K, V> from, MVMap<K, V> to) {
        try {
            for (Cursor<K, V> cursor = from.cursor(null); cursor.hasNext(); ) {
                K key = cursor.next();
                to.put(key, cursor.getValue());
            }
            return 0;
        } catch (RuntimeException unreadablePage) {
            return 1;
        }
    }

    /**
     * Moves the live pages out of mostly dead chunks into the next commit, so that those chunks' space is
     * freed and reused. H2 does this in a background writer, which a store without auto-commit does not
     * start: without it, a chunk that keeps one live page (an inner node, an idempotency key) is never
     * freed, and at full load the file grew by 12 MB/s while the backlog stayed a few MB. Called by the
     * committer before a commit, so the moved pages reach the disk with that commit's sync, before the
     * space they leave can be written over.
     */
    void tidy() {
        // Small steps, often: H2 moves the oldest, emptiest chunks first, the ones that would not die by
        // themselves. Measured at full load: 4 MB once a second took 80-650 ms a call (it moved the young
        // backlog too); 64 KB per commit held the file under 34 MB, but every call scans all chunks for
        // their fill rate (8% of the committer), hence 256 KB every fourth commit.
        // A small file is left alone: there, every commit would move the whole store for nothing.
        if (file.getFileStore().size() > TIDY_ABOVE_BYTES && --untilTidy <= 0) {
            untilTidy = TIDY_EVERY;
            file.compact(TIDY_BELOW_FILL_PERCENT, TIDY_MOVE_BYTES);
        }
    }

    long nextSeq() {
        return meta.getOrDefault(NEXT_SEQ, 1L);
    }

    void setNextSeq(long next) {
        meta.put(NEXT_SEQ, next);
    }

    /** The gateway ({@code tenant/store/gateway}) the file last numbered events for; null in a file from before it was kept. */
    String identity() {
        byte[] identity = saved.get(IDENTITY);
        return identity == null ? null : new String(identity, java.nio.charset.StandardCharsets.UTF_8);
    }

    void setIdentity(String identity) {
        saved.put(IDENTITY, identity.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    long clockOffset() {
        return meta.getOrDefault(CLOCK_OFFSET, 0L);
    }

    void setClockOffset(long offset) {
        meta.put(CLOCK_OFFSET, offset);
    }

    /**
     * Rows and bytes per class, indexed by {@link EventClass#ordinal()}, without reading the events: the rows
     * are the maps' own counts, the bytes what {@link #setBytes} committed with them. Reading every event
     * made the gateway's start proportional to its backlog: for 1,000,000 queued events (a 1.6 GB file),
     * 3-4.5 s here with the file in the page cache and 6 s without; a Pi reading its SD card would take
     * most of a minute, after a power cut, when the backlog is largest. Now 13-22 ms. (The reading found no
     * damage that opening the store does not: a cut or garbled file fails to open, or opens at an older
     * commit.)
     */
    long[][] totals() {
        long[][] totals = new long[2][events.size()];
        for (int c = 0; c < events.size(); c++) {
            totals[0][c] = events.get(c).sizeAsLong();
            Long bytes = meta.get(BYTES + c);
            if (bytes != null) {
                totals[1][c] = bytes;
            } else { // a file from before the bytes were kept: count them once, and the next commit keeps them
                for (Cursor<Long, StoredEvent> cursor = events.get(c).cursor(null); cursor.hasNext(); ) {
                    cursor.next();
                    totals[1][c] += cursor.getValue().summary()[2];
                }
            }
        }
        return totals;
    }

    /** Keeps the payload bytes per class with the commit that leaves them so, for {@link #totals()}. */
    void setBytes(long[] bytesByClass) {
        for (int c = 0; c < bytesByClass.length; c++) {
            meta.put(BYTES + c, bytesByClass[c]);
        }
    }

    void insert(OutboxRow row, String member) {
        events.get(row.eventClass().ordinal()).put(row.seq(), StoredEvent.of(row, member));
    }

    /** Deletes a row; returns whether it was still there. */
    boolean delete(EventClass cls, long seq) {
        return events.get(cls.ordinal()).remove(seq) != null;
    }

    /** Remembers an idempotency key; false when it is already there (committed, or written earlier in this commit). */
    boolean rememberKey(String key, long at) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (keys.putIfAbsent(bytes, at) != null) {
            return false;
        }
        keysInOrder.put(nextKeyOrder++, bytes);
        return true;
    }

    /** Forgets a key remembered in this commit; its place in {@link #keysInOrder} goes when the expired keys do. */
    void forgetKey(String key) {
        keys.remove(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Forgets keys remembered before {@code at}, oldest first, and stops at the first that is not: keys are
     * remembered in time order, unless the clock was set back, in which case a few are kept longer than
     * their window (never shorter). Returns how many went.
     */
    int forgetKeysBefore(long at) {
        int forgotten = 0;
        for (Cursor<Long, byte[]> cursor = keysInOrder.cursor(null); cursor.hasNext(); ) {
            long order = cursor.next();
            byte[] key = cursor.getValue();
            Long remembered = keys.get(key);
            if (remembered != null && remembered >= at) {
                break;
            }
            if (remembered != null) {
                keys.remove(key);
                forgotten++;
            }
            keysInOrder.remove(order);
        }
        return forgotten;
    }

    void save(String key, byte[] state) {
        saved.put(key, state);
    }

    void forget(String key) {
        saved.remove(key);
    }

    /** The committed states under keys starting with {@code prefix}, in key order. Any thread. */
    List<byte[]> saved(String prefix) {
        return pinned(() -> {
            List<byte[]> out = new ArrayList<>();
            for (Cursor<String, byte[]> cursor = saved.cursor(prefix); cursor.hasNext() && cursor.next().startsWith(prefix); ) {
                out.add(cursor.getValue());
            }
            return out;
        });
    }

    /** Runs a read from outside the committer with its version's pages kept from reuse until it is done. */
    private <T> T pinned(Supplier<T> read) {
        MVStore.TxCounter version = file.registerVersionUsage();
        try {
            return read.get();
        } finally {
            file.deregisterVersionUsage(version);
        }
    }

    /** Every queued row about one member, as (seq, cls, size, created, expires), in sequence order. */
    List<long[]> about(String member) {
        List<long[]> out = new ArrayList<>();
        for (MVMap<Long, StoredEvent> map : events) {
            for (Cursor<Long, StoredEvent> cursor = map.cursor(null); cursor.hasNext(); ) {
                cursor.next();
                if (member.equals(cursor.getValue().member())) {
                    out.add(cursor.getValue().summary());
                }
            }
        }
        out.sort((a, b) -> Long.compare(a[0], b[0]));
        return out;
    }

    /** The oldest rows of one class after the protected prefix, as (seq, cls, size, created, expires). */
    List<long[]> oldest(EventClass cls, long afterSeq, int limit) {
        List<long[]> out = new ArrayList<>(Math.min(limit, 256));
        for (Cursor<Long, StoredEvent> cursor = events.get(cls.ordinal()).cursor(afterSeq + 1); cursor.hasNext() && out.size() < limit; ) {
            cursor.next();
            out.add(cursor.getValue().summary());
        }
        return out;
    }

    /** Writes everything changed since the last commit as one chunk; returns whether there was anything (nothing: nothing to sync). */
    boolean commit() {
        long version = file.getCurrentVersion();
        file.commit();
        return file.getCurrentVersion() != version;
    }

    /** True once H2 has closed the file on a failed write: nothing more can be read or written through this store. */
    boolean isClosed() {
        return file.isClosed();
    }

    /** Forgets everything changed since the last commit. */
    void rollback() {
        try {
            file.rollback();
        } catch (RuntimeException ignored) {
            // The batch is failed either way; the next commit will tell if the store is gone.
        }
    }

    /** Forces committed data to the storage device. */
    void sync() {
        file.sync();
    }

    /**
     * Reads rows after {@code afterSeq} and up to {@code upToSeq}, in sequence order, merging the classes'
     * maps, until {@code limit} rows or {@code maxBytes} of payload (at least one row). Any thread: the bound
     * keeps out what the committer has written and not yet made durable.
     */
    List<OutboxRow> read(long afterSeq, int limit, long upToSeq, long maxBytes) {
        return pinned(() -> merged(afterSeq, limit, upToSeq, maxBytes));
    }

    private List<OutboxRow> merged(long afterSeq, int limit, long upToSeq, long maxBytes) {
        List<OutboxRow> rows = new ArrayList<>(Math.min(limit, 256));
        List<Cursor<Long, StoredEvent>> cursors = new ArrayList<>(events.size());
        long[] heads = new long[events.size()];
        for (int c = 0; c < heads.length; c++) {
            Cursor<Long, StoredEvent> cursor = events.get(c).cursor(afterSeq + 1);
            cursors.add(cursor);
            heads[c] = cursor.hasNext() ? cursor.next() : Long.MAX_VALUE;
        }
        long bytes = 0;
        while (rows.size() < limit && (rows.isEmpty() || bytes < maxBytes)) {
            int next = 0;
            for (int c = 1; c < heads.length; c++) {
                if (heads[c] < heads[next]) {
                    next = c;
                }
            }
            if (heads[next] == Long.MAX_VALUE || heads[next] > upToSeq) { // every map read to its end, or past the bound
                break;
            }
            Cursor<Long, StoredEvent> cursor = cursors.get(next);
            OutboxRow row = cursor.getValue().row();
            rows.add(row);
            bytes += row.payload().length;
            heads[next] = cursor.hasNext() ? cursor.next() : Long.MAX_VALUE;
        }
        return rows;
    }

    /** When the oldest queued event was written, on the outbox's time ({@link Timeline}), or 0 when none is. Any thread. */
    long oldestCreated() {
        return pinned(this::oldestCreatedNow);
    }

    private long oldestCreatedNow() {
        long oldestSeq = Long.MAX_VALUE;
        long created = 0;
        for (MVMap<Long, StoredEvent> map : events) {
            Long first = map.firstKey();
            if (first != null && first < oldestSeq) {
                StoredEvent e = map.get(first);
                if (e != null) {
                    oldestSeq = first;
                    created = e.summary()[3];
                }
            }
        }
        return created;
    }

    long fileBytes() {
        try {
            return Files.size(file());
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Rewrites the file to its live size and closes the store, which must be reopened with {@link #open}.
     * The live pages are copied into a new file, which is forced to the device before it replaces the old
     * one, so a cut at any point leaves one whole file. (H2's own compaction on close lost committed rows
     * in 2.3.232, h2database#4247; this copies instead.)
     */
    void compactAndClose() throws IOException {
        file.close(0);
        Path compacting = Path.of(base + SUFFIX + COMPACTING);
        MVStoreTool.compact(file().toString(), compacting.toString(), false);
        try (FileChannel channel = FileChannel.open(compacting, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(compacting, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(file().toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    @Override
    public void close() {
        if (!file.isClosed()) {
            try {
                // What the committer has not committed is a part of a batch (deletions without their drop
                // report, say): closing must not write it, as MVStore's close would.
                file.rollback();
                file.close(0); // 0: no compaction while closing (see compactAndClose)
            } catch (RuntimeException e) {
                file.closeImmediately(); // what was committed and synced is in the file either way
            }
        }
    }
}
