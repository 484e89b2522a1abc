package io.storegw.gateway.outbox;

import io.storegw.drivers.Errors;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventClass;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.EventType;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;
import org.tinylog.Logger;

/**
 * The durable queue between the core loop and the uplink, on one file of H2's MVStore.
 *
 * <p>One committer thread owns all writes. Appends are gathered into a group commit: rows get their
 * sequence numbers in the same commit, the commit is forced to disk, and only then do the
 * appends' futures complete, which is when a source may acknowledge. Rows leave only on PUBACK
 * ({@link #acknowledge}), by TTL, when shed past the byte budget, or when central's broker refuses them for
 * good ({@link #refuse}); all but the first are reported in a {@code gateway.dropped} event naming the ranges,
 * so central never sees a silent gap.
 */
public final class Outbox implements AutoCloseable {

    /**
     * How the outbox keeps events.
     *
     * @param idempotencyWindow how long an append's idempotency key is remembered (a re-send within it is a no-op)
     * @param diskReserveBytes  free space kept on the outbox's disk ({@link DiskReserve})
     */
    public record Settings(Path path, long budgetBytes, Duration commitInterval, Map<String, Duration> ttl,
                           Duration idempotencyWindow, long diskReserveBytes) {

        /** With the default disk reserve. */
        public Settings(Path path, long budgetBytes, Duration commitInterval, Map<String, Duration> ttl, Duration idempotencyWindow) {
            this(path, budgetBytes, commitInterval, ttl, idempotencyWindow, DEFAULT_DISK_RESERVE_BYTES);
        }

        Duration ttlOf(EventType type) {
            return ttl.getOrDefault(type.key(), type.ttl());
        }
    }

    /** The largest encoded event the outbox takes (a sale of about 14,000 lines); a larger one is refused for good. */
    public static final int MAX_EVENT_BYTES = 1_000_000;
    public static final long DEFAULT_DISK_RESERVE_BYTES = DiskReserve.DEFAULT_BYTES;
    private static final int MAX_BATCH_EVENTS = 2_000;
    /** Events kept in memory for {@code storegw events tail}, and at most this many bytes of them. */
    private static final int RECENT_EVENTS = 512;
    private static final long RECENT_BYTES = 1L << 20;
    /**
     * Unacknowledged rows held for the uplink: about a third of a second at full load. Reads from here do not wait
     * for the commit in progress, which the uplink otherwise did for every batch (its window ran dry).
     */
    private static final int UNSENT_ROWS = 2_048;
    /** About 4,500 events of the virtual store's mix, or four of the largest events the outbox takes. */
    private static final long UNSENT_BYTES = 4L << 20;
    private static final int MAX_VICTIMS = 5_000;
    private static final long MAINTENANCE_MILLIS = 1_000;
    /**
     * How long deletions alone wait for a commit that writes anyway, and how many of them need not: see
     * {@link #acksDue}. At a store's pace (an event a second) two seconds let nearly every one ride with the next event.
     */
    private static final long ACKS_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int ACKS_ALONE = 1_000;
    /**
     * A drained store bigger than this is rewritten to its live size ... (at full load, with the
     * committer's tidying, the file of a live store stayed at 5-34 MB, and reached 60 MB in the faster runs).
     */
    public static final long COMPACT_ABOVE_BYTES = 64L << 20;
    /** ... once what is still queued is this small, so the rewrite (which holds the committer) is short. */
    static final long COMPACT_WHEN_LIVE_BELOW_BYTES = 4L << 20;

    /**
     * @param encoded the events' JSON, encoded by the appending thread and numbered by the committer
     * @param saved   handler state to keep with the events (a null value forgets the key)
     * @param key     the idempotency key, or null: a key already committed makes the append a no-op that still succeeds
     */
    private record Append(List<Event> events, List<CloudEventEncoder.Encoded> encoded, Map<String, Object> saved, boolean internal,
                          String key, CompletableFuture<Void> done) {
    }

    /** What became of an append in a commit. */
    private enum Written { WRITTEN, REPEATED, REFUSED }

    /** A support purge of a class's oldest rows, or (with {@code member} set) a member's every queued row. */
    private record Purge(EventClass eventClass, String member, int max, CompletableFuture<Integer> done) {
    }

    /** Where a type's rows go and how long they live: fixed per type, so looked up, not rebuilt per event. */
    private record Route(String topic, long ttlMillis) {
    }

    private final Settings settings;
    private final CloudEventEncoder encoder;
    private final GatewayIdentity identity;
    private final EventIds ids;
    private final Clock clock;
    private final LongSupplier monotonicNanos;
    /** Enough to fill the largest batch; a deeper queue only holds more heap and adds latency once saturated. */
    private final BlockingQueue<Append> appends = new ArrayBlockingQueue<>(256);
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Refusal> refusals = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Purge> purges = new ConcurrentLinkedQueue<>();
    private final RecentEvents recent = new RecentEvents(RECENT_EVENTS, RECENT_BYTES);
    /** This commit's rows, for {@link #recent} once the commit holds. */
    private final List<OutboxRow> fresh = new ArrayList<>();
    private final Object commitSignal = new Object();
    private final Object storeLock = new Object();
    private final SequenceReservation reservation;
    /** Whether this open found no numbering before it: neither events nor the file that reserves their numbers. */
    private boolean numberingFromOne;
    private final Thread committer;
    private final LongAdder appended;
    private final LongAdder acked;
    private final LongAdder pushedBack;
    private final LongAdder commits;
    private final LongAdder tooLarge;
    private final LongAdder duplicates;
    private final LongAdder writeFailures;
    private final LongAdder clockSteps;
    private final DiskReserve disk;
    private final Metrics metrics;

    private OutboxStore store;
    private Timeline timeline;
    /** The offset the file holds, as of the last commit that held. */
    private long storedOffset;
    private UnsentRows unsent;
    private long nextSeq;
    private final long[] rowsByClass = new long[EventClass.values().length];
    private final long[] bytesByClass = new long[EventClass.values().length];
    private final long[] shortestTtlMillis = new long[EventClass.values().length];
    private final Map<EventType, Route> routes = new java.util.HashMap<>();
    private volatile long committedSeq;
    private volatile long protectedSeq;
    private volatile long rows;
    private volatile long bytes;
    private volatile List<OutboxStats.ClassBacklog> byClass = List.of();
    private volatile String problem;
    private volatile boolean closing;
    private volatile long purgeGeneration;
    private long lastMaintenance;
    /** Acknowledged rows the committer has not deleted yet ({@link #acksDue}). */
    private final List<Ack> waiting = new ArrayList<>();
    /** The acknowledged rows the commit in progress deletes. */
    private final List<Ack> acknowledged = new ArrayList<>();
    /** How many wait, for {@link #idle}. */
    private volatile int waitingCount;
    /** When the oldest of {@link #waiting} came (System.nanoTime), or 0. */
    private long acksWaitingSince;
    /** A failed rewrite is not tried again before this (epoch ms): it closes and reopens the store, holding the committer. */
    private long compactNotBefore;
    /** Added to the file's name, with the time, when a damaged file is kept aside. */
    private static final String ASIDE = ".quarantine-";
    /** A damaged page a reader met, for the committer to salvage the file at its next commit. */
    private volatile RuntimeException damaged;
    /** At most one salvage an hour: each keeps a copy of the file, and a failing card would fill its disk with them. */
    private long salvageNotBefore;
    /** The commits failing now, if they are; the committer's. */
    private WriteFailure writeFailure;
    /** The byte budget of the commit in progress: the configured one, or less while the disk is short. */
    private long budget;
    /** Said in every commit until one holds. */
    private Alarm diskAlarm;
    /** The clock's steps not yet told to central, as one alarm: said in every commit until one holds. */
    private Alarm unreportedStep;
    /** False while commits fail: nothing more is read for the uplink, whose PUBACKs would queue deletions that cannot be written. */
    private volatile boolean writable = true;

    private Outbox(Settings settings, GatewayIdentity identity, EventIds ids, Clock clock, LongSupplier monotonicNanos, Metrics metrics)
            throws IOException {
        this.settings = settings;
        this.identity = identity;
        this.encoder = new CloudEventEncoder(identity);
        this.ids = ids;
        this.clock = clock;
        this.monotonicNanos = monotonicNanos;
        this.metrics = metrics;
        Files.createDirectories(settings.path().toAbsolutePath().getParent());
        this.disk = new DiskReserve(settings.path().toAbsolutePath().getParent(), settings.diskReserveBytes());
        this.reservation = new SequenceReservation(Path.of(settings.path() + ".seq"));
        this.appended = metrics.counter("storegw_outbox_appended_total", "Events committed to the outbox");
        this.acked = metrics.counter("storegw_outbox_acknowledged_total", "Events removed after PUBACK");
        this.pushedBack = metrics.counter("storegw_outbox_pushback_total", "Critical appends refused because the outbox is full");
        this.commits = metrics.counter("storegw_outbox_commits_total", "Group commits forced to disk");
        this.tooLarge = metrics.counter("storegw_outbox_too_large_total", "Events refused for being larger than a row may be");
        this.duplicates = metrics.counter("storegw_outbox_duplicates_total", "Appends whose idempotency key was already committed (re-sends)");
        this.clockSteps = metrics.counter("storegw_clock_steps_total",
                "Times the system clock was set by a second or more while the gateway ran (NTP's first sync, say)");
        this.writeFailures = metrics.counter("storegw_outbox_write_failures_total",
                "Commits that could not be written (a full disk, say); their appends were refused");
        this.committer = new Thread(this::run, "outbox-committer");
        Arrays.fill(shortestTtlMillis, Long.MAX_VALUE);
        for (EventType type : EventCatalogue.ALL) {
            int c = type.eventClass().ordinal();
            shortestTtlMillis[c] = Math.min(shortestTtlMillis[c], settings.ttlOf(type).toMillis());
        }
    }

    /**
     * Opens the outbox; a store that cannot be opened is moved aside, kept, replaced by a fresh one,
     * and reported in a {@code gateway.alarm} event.
     */
    public static Outbox open(Settings settings, GatewayIdentity identity, EventIds ids, Clock clock, Metrics metrics)
            throws IOException {
        return open(settings, identity, ids, clock, System::nanoTime, metrics);
    }

    /**
     * Opens the outbox with the monotonic clock it tells the wall clock's steps by: {@link System#nanoTime}, but
     * in tests whose wall clock moves by hand.
     */
    public static Outbox open(Settings settings, GatewayIdentity identity, EventIds ids, Clock clock, LongSupplier monotonicNanos,
                              Metrics metrics) throws IOException {
        Outbox outbox = new Outbox(settings, identity, ids, clock, monotonicNanos, metrics);
        Alarm alarm;
        Alarm renamed;
        try {
            alarm = outbox.openStore();
            renamed = outbox.checkIdentity();
        } catch (IOException | RuntimeException e) {
            outbox.reservation.close(); // the file that numbers events stays with whoever holds the store
            throw e;
        }
        outbox.registerGauges();
        outbox.committer.start();
        if (alarm != null) {
            outbox.appendInternal(EventCatalogue.GATEWAY_ALARM, "outbox", alarm);
        }
        if (renamed != null) {
            outbox.appendInternal(EventCatalogue.GATEWAY_ALARM, "identity", renamed);
        }
        return outbox;
    }

    private Alarm openStore() throws IOException {
        Alarm alarm = null;
        try {
            store = OutboxStore.open(settings.path());
            nextSeq = Math.max(store.nextSeq(), 1);
            if (nextSeq - 1 < reservation.committed()) {
                long ceiling = reservation.ceiling();
                alarm = new Alarm("outbox.rolledback", "The outbox file opened at an older state (sequence "
                        + (nextSeq - 1) + " where " + reservation.committed() + " had been committed); what it still holds"
                        + " will be sent, and numbering continues above the reserved range.", settings.path() + OutboxStore.SUFFIX,
                        CloudEventEncoder.sequence(ceiling));
                Logger.error("Outbox {} lost committed events {}..{} (the file was cut or damaged); continuing at {}",
                        settings.path(), nextSeq, reservation.committed(), ceiling + 1);
                nextSeq = ceiling + 1;
                metrics.counter("storegw_outbox_rollbacks_total", "Times the outbox file opened behind its last commit").increment();
            }
        } catch (MVStoreException e) {
            if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
                // Another gateway holds it: not damage, and not ours to move.
                throw new IOException("the outbox " + settings.path() + OutboxStore.SUFFIX + " is in use by another process: is another"
                        + " storegw running with this stateDir? (systemctl status storegw)", e);
            }
            Path file = Path.of(settings.path() + OutboxStore.SUFFIX);
            Path aside = aside(file);
            Files.move(file, aside);
            Logger.error("Outbox {} cannot be opened ({}); moved aside to {} and starting a fresh one", file, e.getMessage(), aside);
            store = OutboxStore.open(settings.path());
            long ceiling = reservation.ceiling();
            nextSeq = ceiling + 1;
            alarm = new Alarm("outbox.quarantined", "The outbox file could not be opened (" + e.getMessage()
                    + "); it was moved aside and kept, and a fresh outbox was started.", aside.toString(),
                    ceiling == 0 ? null : CloudEventEncoder.sequence(ceiling));
            metrics.counter("storegw_outbox_quarantined_total", "Outbox files moved aside because they could not be opened").increment();
        }
        adoptStore();
        numberingFromOne = alarm == null && nextSeq == 1 && reservation.ceiling() == 0;
        timeline = new Timeline(clock, monotonicNanos, storedOffset);
        committedSeq = nextSeq - 1;
        unsent = new UnsentRows(UNSENT_ROWS, UNSENT_BYTES, nextSeq);
        return alarm;
    }

    /**
     * The gateway's tenant, store or gateway id changed since the file last numbered events (a store id mistyped at
     * the install and put right, a box moved to another store): the numbers go on from the former identity's, so
     * central, which checks them for gaps per gateway, would find the new one's first N-1 missing. The first event
     * under the new identity says where its numbers start and whose events are still queued. Null when nothing changed.
     */
    private Alarm checkIdentity() {
        String now = identity.name();
        String was = store.identity();
        if (now.equals(was)) {
            return null;
        }
        store.setIdentity(now); // committed with the first commit, the alarm's
        long last = nextSeq - 1;
        if (was == null || last == 0) {
            return null; // a new file, or one from before identities were kept: nothing to tell apart
        }
        long queued = total(rowsByClass);
        String events = queued == 1 ? "1 event" : queued + " events";
        Logger.warn("Outbox {} numbered events for {} up to {}; this gateway is {} now: numbering goes on from there, and the {}"
                + " of {} still queued are sent as they were made, on its topics (central's broker must let this gateway"
                + " publish under storegw/v1/{}/)", settings.path() + OutboxStore.SUFFIX, was, last, now, events, was, was);
        return new Alarm("identity.changed", "This gateway numbered its events as " + was + " up to sequencesUpTo and is " + now
                + " from the next: its numbers go on from there, so nothing before it is missing for " + now + ". " + events
                + " of " + was + " still queued are sent as they were made, as " + was + " on its topics.",
                null, CloudEventEncoder.sequence(last));
    }

    /**
     * Tells central, in the first event, that this gateway numbers from 1 with nothing before it: a first start, or a
     * state directory lost (a new SD card, say). Central that heard from the gateway before would otherwise take the
     * numbers starting again for duplicates or noise; this way it can close the old numbering at the last it received.
     * Does nothing when the outbox went on from earlier numbers.
     */
    public void announceNewNumbering() {
        if (numberingFromOne) {
            appendInternal(EventCatalogue.GATEWAY_ALARM, "outbox", new Alarm("sequence.started", "Numbering starts at 1 here, with no"
                    + " earlier state (a first start, or a new SD card): any earlier numbering of this gateway ended with the last"
                    + " event central received.", null, null));
        }
    }

    /** Where a damaged file is kept: beside the outbox, with the time it was moved. */
    private Path aside(Path file) {
        return file.resolveSibling(file.getFileName() + ASIDE
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant()));
    }

    /** The damaged files kept beside the outbox at {@code path} (as configured, without the suffix), oldest first. */
    public static List<Path> keptAside(Path path) throws IOException {
        Path file = Path.of(path + OutboxStore.SUFFIX).toAbsolutePath();
        if (!Files.isDirectory(file.getParent())) {
            return List.of();
        }
        String prefix = file.getFileName() + ASIDE;
        try (var files = Files.list(file.getParent())) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    private void registerGauges() {
        metrics.gauge("storegw_outbox_rows", "Events waiting in the outbox", () -> rows);
        metrics.gauge("storegw_outbox_bytes", "Bytes of events waiting in the outbox", () -> bytes);
        metrics.gauge("storegw_outbox_committed_sequence", "Highest sequence number made durable", () -> committedSeq);
        metrics.gauge("storegw_outbox_file_bytes", "Size of the outbox file", () -> store.fileBytes());
        metrics.gauge("storegw_outbox_disk_free_bytes", "Free space on the outbox's disk at the last look (once a second)", () -> disk.free());
        metrics.gauge("storegw_outbox_oldest_age_seconds", "Age of the oldest queued event", () -> {
            long oldest = stats().oldestMillis();
            return oldest == 0 ? 0 : (clock.millis() - oldest) / 1000.0;
        });
    }

    /**
     * Queues events for the next group commit (blocking while the commit queue is full).
     *
     * @return completes once every event is durable; fails with {@link OutboxFullException} when critical
     *         events do not fit, {@link EventTooLargeException} when an event never will, or with the store's error
     */
    public CompletableFuture<Void> append(List<Event> events) throws InterruptedException {
        return append(events, null);
    }

    /**
     * Queues events under an idempotency key: if the key was committed within the idempotency window
     * (before or in the same group commit), nothing is written and the append still succeeds, so a
     * source that re-sends after a lost acknowledgement counts once. The key is committed in the same
     * commit as the events: both or neither, also under {@code kill -9}.
     */
    public CompletableFuture<Void> append(List<Event> events, String key) throws InterruptedException {
        return append(events, Map.of(), key);
    }

    /**
     * Queues events together with handler state ({@link io.storegw.gateway.core.Emitter#save}): the
     * state is written in the same commit as the events, or not at all.
     */
    public CompletableFuture<Void> append(List<Event> events, Map<String, Object> saved, String key) throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (events.isEmpty() && saved.isEmpty()) {
            done.complete(null);
            return done;
        }
        if (closing) {
            done.completeExceptionally(new IllegalStateException("outbox is closed"));
            return done;
        }
        Append append;
        try {
            append = encodedAppend(events, saved, false, key, done);
        } catch (RuntimeException e) {
            done.completeExceptionally(e); // data Jackson cannot write fails this append, not the commit it would join
            return done;
        }
        appends.put(append);
        return done;
    }

    private Append encodedAppend(List<Event> events, Map<String, Object> saved, boolean internal, String key, CompletableFuture<Void> done) {
        List<CloudEventEncoder.Encoded> encoded = new ArrayList<>(events.size());
        for (Event e : events) {
            encoded.add(encoder.encode(e));
        }
        return new Append(List.copyOf(events), encoded, saved, internal, key, done);
    }

    /** The opening alarm: queued before any source can fill the queue, exempt from push-back. */
    private void appendInternal(EventType type, String subject, Object data) {
        if (!appends.offer(internal(type, subject, data))) {
            Logger.error("Outbox commit queue full; could not queue {} {}", type.key(), data);
        }
    }

    /** An event of the gateway's own, exempt from push-back. */
    private Append internal(EventType type, String subject, Object data) {
        Event event = new Event(ids.next(), type, clock.instant(), subject, DataClass.ANONYMOUS, data);
        return encodedAppend(List.of(event), Map.of(), true, null, new CompletableFuture<>());
    }

    /** The handler state saved under keys starting with {@code prefix}; read at start, before the core loop runs. */
    public <T> List<T> saved(String prefix, Class<T> type) {
        synchronized (storeLock) {
            try {
                List<T> out = new ArrayList<>();
                for (byte[] json : store.saved(prefix)) {
                    out.add(CloudEventEncoder.JSON.readValue(json, type));
                }
                return out;
            } catch (IOException | RuntimeException e) {
                // The events are what must not be lost; state that cannot be read is started afresh.
                Logger.error(e, "Cannot read the state saved under {}; starting without it", prefix);
                return List.of();
            }
        }
    }

    /**
     * Reads committed rows after {@code afterSeq}, in sequence order; for the uplink's thread. Only what is
     * on disk is ever seen: the committed sequence number is published after the commit's sync, and rows
     * above it are not read. A reader keeping up gets the newest rows from {@link UnsentRows}, a reader
     * behind (after a reconnect, or with a backlog) from the file, and neither waits for the commit in progress.
     * Stops at {@code limit} rows or once {@code maxBytes} of payload are read, whichever comes first, but
     * returns at least one row if there is one.
     */
    public List<OutboxRow> read(long afterSeq, int limit, long maxBytes) {
        if (!writable) {
            return List.of();
        }
        List<OutboxRow> held = unsent.after(afterSeq, limit, maxBytes);
        if (held != null) {
            return held;
        }
        long upTo = committedSeq;
        synchronized (storeLock) {
            try {
                return store.read(afterSeq, limit, upTo, maxBytes);
            } catch (RuntimeException e) {
                if (!OutboxStore.damage(e)) {
                    throw e;
                }
                // Thrown to the uplink, it would reconnect for ever on the same page; the committer salvages the file.
                damaged = e;
                return List.of();
            }
        }
    }

    /** Waits until something above {@code seq} is committed, or the timeout passes. */
    public void awaitCommittedAbove(long seq, long timeoutMillis) throws InterruptedException {
        synchronized (commitSignal) {
            if ((committedSeq <= seq || !writable) && !closing) {
                commitSignal.wait(timeoutMillis);
            }
        }
    }

    /**
     * The broker has the row (PUBACK): it may go. Any thread. Only what its deletion needs waits for the
     * commit, not the payload: PUBACKs can come faster than a commit deletes large rows, and a backlog of
     * 900 KB events held 56 acknowledged payloads (50 MB) in the queue and the commit's list when the
     * gateway ran out of heap.
     */
    public void acknowledge(OutboxRow row) {
        acks.add(new Ack(row.seq(), row.eventClass(), row.payload().length));
    }

    /** An acknowledged row, as the committer deletes it. */
    private record Ack(long seq, EventClass eventClass, int bytes) {
    }

    /**
     * Central's broker refused the row for good: it goes, named in a {@code gateway.dropped} event of reason
     * {@code refused} with {@code code} (the broker's MQTT 5 reason code, 149 for a row larger than it takes, or
     * negative, reported without a code, when it only closed the connection on the row). Any thread. A refused
     * drop report is not reported again (that report would be refused in turn, for ever); it is only counted and
     * logged.
     */
    public void refuse(OutboxRow row, int code) {
        refusals.add(new Refusal(new Ack(row.seq(), row.eventClass(), row.payload().length), code,
                !row.type().equals(EventCatalogue.GATEWAY_DROPPED.cloudEventType())));
    }

    /** A refused row, as the committer deletes it. */
    private record Refusal(Ack row, int code, boolean report) {
    }

    /**
     * Rows up to {@code seq} are in flight to the broker and must not be shed or expired under the
     * uplink's feet; they leave by PUBACK.
     */
    public void protectUpTo(long seq) {
        protectedSeq = seq;
    }

    /**
     * Now on the outbox's time (epoch ms), which rows' times ({@link OutboxRow#expiresMillis}) are on: the
     * wall clock less the steps it was set by while the gateway ran ({@link Timeline}).
     */
    public long now() {
        return timeline.now();
    }

    /** Events waiting, from memory: cheap enough to ask every second (stats() reads the store). */
    public long rows() {
        return rows;
    }

    /** Backlog figures, with the age of the oldest row read from the store. */
    public OutboxStats stats() {
        long oldest;
        synchronized (storeLock) {
            try {
                oldest = rows == 0 ? 0 : timeline.toWall(store.oldestCreated());
            } catch (RuntimeException e) {
                oldest = 0; // a figure for a gauge: a store that cannot say is reported by the committer
                if (OutboxStore.damage(e)) {
                    damaged = e; // the oldest row's page: the committer salvages the file
                }
            }
        }
        return new OutboxStats(rows, bytes, committedSeq, oldest, store.fileBytes());
    }

    /** The backlog of each class, as of the last commit. */
    public List<OutboxStats.ClassBacklog> byClass() {
        return byClass;
    }

    /** Up to {@code limit} of the last events committed after {@code afterSeq}, for following locally. */
    public RecentPage recent(long afterSeq, int limit) {
        RecentEvents.Page page = recent.after(afterSeq, limit);
        return new RecentPage(page.rows(), page.skipped(), page.next());
    }

    /**
     * Events committed lately, whether or not the broker has them yet.
     *
     * @param skipped events after the asked sequence that are no longer held in memory
     * @param next    the sequence to ask after next time
     */
    public record RecentPage(List<OutboxRow> rows, long skipped, long next) {
    }

    /**
     * Removes up to {@code max} of the oldest queued events of a class (not those in flight), for
     * support cases; a {@code gateway.dropped} event with reason {@code purged} names them. Critical
     * events are never purged.
     *
     * @return completes with how many went, once that and its report are durable
     */
    public CompletableFuture<Integer> purge(EventClass eventClass, int max) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        if (eventClass == EventClass.CRITICAL) {
            done.completeExceptionally(new IllegalArgumentException(
                    "critical events (transactions, alarms, drop reports) are never purged: central must receive them"));
        } else if (closing) {
            done.completeExceptionally(new IllegalStateException("outbox is closed"));
        } else {
            purges.add(new Purge(eventClass, null, Math.max(1, Math.min(max, MAX_VICTIMS)), done));
        }
        return done;
    }

    /**
     * Removes every queued event about a member whose consent was revoked, critical ones too: consent
     * outranks delivery. A {@code gateway.dropped} event with reason {@code consent} names them. Events
     * already handed to the broker cannot be called back; the uplink re-reads after a purge, so none
     * waiting in its read-ahead is sent.
     *
     * @return completes with how many went, once that and its report are durable
     */
    public CompletableFuture<Integer> forget(String member) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new IllegalStateException("outbox is closed"));
        } else {
            purges.add(new Purge(null, member, Integer.MAX_VALUE, done));
        }
        return done;
    }

    /** Changes whenever a purge removed rows: a reader holding rows read ahead must read them again. */
    public long purgeGeneration() {
        return purgeGeneration;
    }

    /** Null when healthy, otherwise why not. */
    public String problem() {
        return committer.isAlive() || closing ? problem : "outbox committer stopped";
    }

    private void run() {
        while (!closing || !appends.isEmpty() || !acks.isEmpty() || !waiting.isEmpty() || !refusals.isEmpty()) {
            try {
                List<Append> batch = gather();
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                Logger.error(e, "Outbox committer failed; retrying");
                problem = "outbox: " + e.getMessage();
            }
        }
    }

    private List<Append> gather() throws InterruptedException {
        List<Append> batch = new ArrayList<>();
        Append first = appends.poll(closing ? 0 : 100, TimeUnit.MILLISECONDS);
        if (first == null) {
            return batch;
        }
        batch.add(first);
        int events = first.events().size();
        if (!closing && !settings.commitInterval().isZero()) {
            // One sleep, then what queued meanwhile: waiting on the queue instead woke this thread (and made
            // the appending thread wake it) once per append, about 2,700 times a second at full load.
            TimeUnit.NANOSECONDS.sleep(settings.commitInterval().toNanos());
        }
        // Without a commit interval, batches form by themselves: what queued during the last fsync.
        for (Append next; events < MAX_BATCH_EVENTS && (next = appends.poll()) != null; ) {
            batch.add(next);
            events += next.events().size();
        }
        return batch;
    }

    private void commit(List<Append> batch) {
        long firstSeq = nextSeq;
        long[] savedRows = rowsByClass.clone();
        long[] savedBytes = bytesByClass.clone();
        List<Append> accepted = new ArrayList<>(batch.size());
        acknowledged.clear();
        List<Refusal> refused = new ArrayList<>();
        int repeated = 0;
        Drops drops = new Drops();
        List<Purge> purging = new ArrayList<>();
        int[] purged = new int[0];
        boolean spellOver = false;
        fresh.clear();
        long step = timeline.step();
        if (step != 0) {
            clockStepped(step);
        }
        long now = timeline.now();
        boolean maintenance = now - lastMaintenance >= MAINTENANCE_MILLIS || closing;
        try {
            RuntimeException readerMet = damaged;
            if (readerMet != null) {
                damaged = null;
                salvage(readerMet);
            }
            if (store.isClosed()) {
                throw new IOException("the outbox file " + store.file() + " is not open (opening it again failed)");
            }
            if (maintenance) {
                Alarm shortOfDisk = disk.check(total(bytesByClass));
                diskAlarm = shortOfDisk != null ? shortOfDisk : diskAlarm;
            }
            budget = disk.budget(settings.budgetBytes());
            gatherAcknowledged();
            if (acksDue(batch)) { // before the inserts: what central has makes room for them
                deleteAcknowledged();
            }
            for (Append append : batch) {
                switch (insert(append)) {
                    case WRITTEN -> accepted.add(append);
                    case REPEATED -> {
                        repeated++;
                        accepted.add(new Append(List.of(), List.of(), Map.of(), false, append.key(), append.done()));
                    }
                    case REFUSED -> { } // its future has failed with the reason
                }
            }
            deleteRefused(refused, drops);
            for (Purge p; (p = purges.poll()) != null; ) {
                purging.add(p);
            }
            purged = new int[purging.size()];
            for (int i = 0; i < purged.length; i++) {
                Purge p = purging.get(i);
                SeqList into = p.member() == null ? drops.purged : drops.consent;
                int before = into.size;
                remove(p.member() == null ? store.oldest(p.eventClass(), protectedSeq, p.max()) : store.about(p.member()), into);
                purged[i] = into.size - before;
            }
            if (maintenance) {
                lastMaintenance = now;
                expire(now, drops);
                store.forgetKeysBefore(now - settings.idempotencyWindow().toMillis());
            }
            shed(drops, budget);
            // The reports count against the budget too: shed until the rows and the reports that name
            // what went fit (a report grows with the ranges it names, so this may take a round or two).
            for (int round = 0; round < 8 && !drops.isEmpty(); round++) {
                long reportBytes = 0;
                for (Event report : drops.reports()) {
                    reportBytes += encoder.encode(report).length();
                }
                if (total(bytesByClass) + reportBytes <= budget || !shed(drops, budget - reportBytes)) {
                    break;
                }
            }
            // The report goes into the same commit as the deletions it names: both or neither.
            for (Event report : drops.reports()) {
                insert(encodedAppend(List.of(report), Map.of(), true, null, new CompletableFuture<>()));
            }
            if (diskAlarm != null) {
                insert(internal(EventCatalogue.GATEWAY_ALARM, "outbox", diskAlarm));
            }
            if (unreportedStep != null) {
                insert(internal(EventCatalogue.GATEWAY_ALARM, "clock", unreportedStep));
            }
            if (timeline.offset() != storedOffset) {
                store.setClockOffset(timeline.offset());
            }
            spellOver = writeFailure != null && (writeFailure.over(clock.millis()) || closing); // its times are the clock's: it tells them
            if (spellOver) {
                insert(internal(EventCatalogue.GATEWAY_ALARM, "outbox", writeFailure.alarm(store.file().toString())));
            }
            if (nextSeq != firstSeq) {
                reservation.reserve(nextSeq - 1);
                store.setNextSeq(nextSeq);
            }
            if (!Arrays.equals(bytesByClass, savedBytes)) {
                store.setBytes(bytesByClass);
            }
            store.tidy();
            // Whatever wrote a chunk is synced (events, handler state, deletions, forgotten keys, moved
            // pages): the chunks it emptied are reused by the next commit, and a power cut must not find
            // that commit on the device while this one, which the file's newest state depends on, is not.
            if (store.commit()) {
                store.sync();
                commits.increment();
            }
            if (nextSeq != firstSeq) {
                recordCommitted(nextSeq - 1);
            }
            fresh.forEach(recent::add); // before anyone hears of the commit, so whoever asks after it sees it
            SeqList gone = drops.all();
            acknowledged.forEach(ack -> gone.add(ack.seq()));
            unsent.committed(fresh, gone.values, gone.size);
            // Only now may readers see the new rows: a row the uplink published before its commit was on the
            // device, and then lost to kill -9, would see its number handed out again after the restart, to
            // another event (CI saw it once, when reads raced commits).
            committedSeq = nextSeq - 1;
        } catch (IOException | RuntimeException e) {
            store.rollback();
            nextSeq = firstSeq;
            System.arraycopy(savedRows, 0, rowsByClass, 0, rowsByClass.length);
            System.arraycopy(savedBytes, 0, bytesByClass, 0, bytesByClass.length);
            acks.addAll(acknowledged); // their deletion was rolled back too: try again next commit
            refusals.addAll(refused);
            purging.forEach(p -> p.done().completeExceptionally(e));
            problem = "outbox commit failed: " + Errors.describe(e);
            // Every append of the batch fails, also those after the one that broke: no source waits for ever.
            batch.forEach(a -> a.done().completeExceptionally(e));
            failed(batch, e);
            if (OutboxStore.damage(e)) {
                salvage(e);
            } else if (store.isClosed()) {
                reopen();
            }
            pause(writeFailure.inARow());
            return;
        }
        writable = true;
        diskAlarm = null;
        unreportedStep = null;
        storedOffset = timeline.offset();
        if (spellOver) {
            Logger.info("Outbox has written again for {} s; {}", WriteFailure.OVER_AFTER_MILLIS / 1000, writeFailure.summary());
            writeFailure = null;
        } else if (writeFailure != null) {
            writeFailure.held();
        }
        problem = writeFailure != null ? writeFailure.problem(clock.millis()) : disk.problem();
        publishTotals();
        synchronized (commitSignal) {
            commitSignal.notifyAll();
        }
        acked.add(acknowledged.size());
        duplicates.add(repeated);
        for (Append append : accepted) {
            appended.add(append.events().size());
            append.done().complete(null);
        }
        drops.count();
        if (drops.purged.size + drops.consent.size > 0) {
            purgeGeneration++;
        }
        for (int i = 0; i < purged.length; i++) {
            purging.get(i).done().complete(purged[i]);
        }
        // Not "when empty": with a store open, events keep coming and the outbox is rarely empty at the end of a commit
        if (!closing && total(bytesByClass) < COMPACT_WHEN_LIVE_BELOW_BYTES && store.fileBytes() > COMPACT_ABOVE_BYTES
                && timeline.now() >= compactNotBefore) {
            compact();
        }
    }

    /**
     * Numbers and inserts one append and remembers its key; or finds its key committed before (or earlier in
     * this commit); or refuses it, failing its future, when an event is too large or critical events would not fit.
     */
    private Written insert(Append append) {
        long now = timeline.now();
        // One insert both checks and remembers (a look-up first was 8% of the committer's time at full load).
        // First, so a re-send of what is already durable succeeds even while the outbox is full.
        if (append.key() != null && !store.rememberKey(append.key(), now)) {
            return Written.REPEATED;
        }
        List<Event> events = append.events();
        long critical = 0;
        for (int i = 0; i < events.size(); i++) {
            int length = append.encoded().get(i).length();
            if (length > MAX_EVENT_BYTES) {
                // Refused alone: in the batch it would fail the whole group commit, and its neighbours with it.
                tooLarge.increment();
                return refuse(append, new EventTooLargeException(events.get(i).type().key()
                        + " event of " + length + " bytes is larger than the outbox takes (" + MAX_EVENT_BYTES + ")"));
            }
            if (events.get(i).type().eventClass() == EventClass.CRITICAL) {
                critical += length;
            }
        }
        if (!append.internal() && critical > 0 && bytesByClass[EventClass.CRITICAL.ordinal()] + critical > budget) {
            pushedBack.increment();
            return refuse(append, new OutboxFullException(
                    "outbox full: " + bytesByClass[EventClass.CRITICAL.ordinal()] + " bytes of critical events waiting"
                            + (disk.problem() == null ? "" : "; " + disk.problem())));
        }
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            EventClass cls = e.type().eventClass();
            Route route = routes.computeIfAbsent(e.type(), t -> new Route(identity.topicOf(t), settings.ttlOf(t).toMillis()));
            byte[] payload = append.encoded().get(i).withSequence(nextSeq);
            OutboxRow row = new OutboxRow(nextSeq++, cls, e.id(), e.type().cloudEventType(), e.subject(), route.topic(),
                    now, now + route.ttlMillis(), payload);
            fresh.add(row);
            store.insert(row, e.member());
            rowsByClass[cls.ordinal()]++;
            bytesByClass[cls.ordinal()] += payload.length;
        }
        for (Map.Entry<String, Object> e : append.saved().entrySet()) {
            if (e.getValue() == null) {
                store.forget(e.getKey());
            } else {
                store.save(e.getKey(), stateOf(e));
            }
        }
        return Written.WRITTEN;
    }

    /** Fails an append that was not written; its key goes too, so that its re-send is judged afresh. */
    private Written refuse(Append append, Exception why) {
        if (append.key() != null) {
            store.forgetKey(append.key());
        }
        append.done().completeExceptionally(why);
        return Written.REFUSED;
    }

    private static byte[] stateOf(Map.Entry<String, Object> saved) {
        try {
            return CloudEventEncoder.JSON.writeValueAsBytes(saved.getValue());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the state saved under " + saved.getKey(), e);
        }
    }

    /**
     * Whether to delete the acknowledged rows in this commit. Deletions need not be durable at once: one lost to a
     * crash only sends its row again, which central drops by id. So they wait for a commit that writes anyway (the
     * next append, a refusal, a purge), for {@link #ACKS_WAIT_NANOS}, or for {@link #ACKS_ALONE} of them. At a
     * store's pace a commit of its own per PUBACK made 1.88 commits (and fsyncs) per event, and a third more bytes
     * written to the card ({@code storegw disk-bench}). Shedding, expiry and purges delete the waiting rows first
     * ({@link #remove}), so none is reported dropped though central has it.
     */
    private boolean acksDue(List<Append> batch) {
        if (waiting.isEmpty()) {
            return false;
        }
        long now = System.nanoTime();
        if (acksWaitingSince == 0) {
            acksWaitingSince = now;
        }
        return !batch.isEmpty() || closing || !refusals.isEmpty() || !purges.isEmpty()
                || now - acksWaitingSince >= ACKS_WAIT_NANOS || waiting.size() >= ACKS_ALONE;
    }

    /** Takes the PUBACKs queued since the last commit into {@link #waiting}. */
    private void gatherAcknowledged() {
        for (Ack ack; (ack = acks.poll()) != null; ) {
            waiting.add(ack);
        }
    }

    private void deleteAcknowledged() {
        for (Ack ack : waiting) {
            delete(ack);
        }
        acknowledged.addAll(waiting);
        waiting.clear();
        acksWaitingSince = 0;
    }

    /** Deletes a row and takes it off the totals; false when it was gone already (shed, purged, refused twice). */
    private boolean delete(Ack row) {
        if (!store.delete(row.eventClass(), row.seq())) {
            return false;
        }
        rowsByClass[row.eventClass().ordinal()]--;
        bytesByClass[row.eventClass().ordinal()] -= row.bytes();
        return true;
    }

    private void deleteRefused(List<Refusal> done, Drops drops) {
        for (Refusal r; (r = refusals.poll()) != null; ) {
            done.add(r);
        }
        for (Refusal r : done) {
            if (delete(r.row())) {
                (r.report() ? drops.refused.computeIfAbsent(r.code(), code -> new SeqList()) : drops.refusedReports).add(r.row().seq());
            }
        }
    }

    /**
     * Removes rows past their TTL. Each class is walked oldest-first on its index; rows are created in
     * sequence order, so once a row is younger than the class's shortest TTL, no later row can have expired.
     */
    private void expire(long now, Drops drops) {
        for (EventClass cls : EventClass.values()) {
            long shortest = shortestTtlMillis[cls.ordinal()];
            List<long[]> victims = new ArrayList<>();
            long after = protectedSeq;
            scan:
            while (victims.size() < MAX_VICTIMS) {
                List<long[]> rows = store.oldest(cls, after, 1_000);
                for (long[] row : rows) {
                    if (row[3] + shortest > now) {
                        break scan;
                    }
                    if (row[4] < now) {
                        victims.add(row);
                    }
                    after = row[0];
                }
                if (rows.size() < 1_000) {
                    break;
                }
            }
            if (!victims.isEmpty()) {
                remove(victims, drops.expired);
            }
        }
    }

    /** Sheds bulk, then normal, oldest first, until the rows fit {@code target}; returns whether anything went. */
    private boolean shed(Drops drops, long target) {
        boolean shed = false;
        for (EventClass cls : new EventClass[] {EventClass.BULK, EventClass.NORMAL}) {
            while (total(bytesByClass) > target && bytesByClass[cls.ordinal()] > 0) {
                List<long[]> victims = store.oldest(cls, protectedSeq, 256);
                if (victims.isEmpty()) {
                    break;
                }
                shed = true;
                int keep = victims.size();
                long over = total(bytesByClass) - target;
                long freed = 0;
                for (int i = 0; i < victims.size(); i++) {
                    freed += victims.get(i)[2];
                    if (freed >= over) {
                        keep = i + 1;
                        break;
                    }
                }
                remove(victims.subList(0, keep), drops.budget);
            }
        }
        return shed;
    }

    private void remove(List<long[]> victims, SeqList into) {
        // A victim central has acknowledged is not dropped: it goes as delivered (no longer protected once a reconnect
        // reads from the oldest, it may be among the oldest rows an expiry or the budget takes).
        deleteAcknowledged();
        EventClass[] classes = EventClass.values();
        for (long[] v : victims) {
            if (store.delete(classes[(int) v[1]], v[0])) {
                rowsByClass[(int) v[1]]--;
                bytesByClass[(int) v[1]] -= v[2];
                into.add(v[0]);
            }
        }
    }

    /** The backlog as central sees it: acknowledged rows waiting for their deletion ({@link #acksDue}) are not in it. */
    private void publishTotals() {
        long[] waitingRows = new long[rowsByClass.length]; // few: at any pace but a store's they went with this commit
        long[] waitingBytes = new long[rowsByClass.length];
        for (Ack ack : waiting) {
            waitingRows[ack.eventClass().ordinal()]++;
            waitingBytes[ack.eventClass().ordinal()] += ack.bytes();
        }
        long rowsLeft = 0;
        long bytesLeft = 0;
        List<OutboxStats.ClassBacklog> classes = new ArrayList<>(rowsByClass.length);
        for (EventClass cls : EventClass.values()) {
            int i = cls.ordinal();
            // at least 0: a row may have gone (shed, purged) before its PUBACK came, and then counts in neither
            long r = Math.max(0, rowsByClass[i] - waitingRows[i]);
            long b = Math.max(0, bytesByClass[i] - waitingBytes[i]);
            classes.add(new OutboxStats.ClassBacklog(cls, r, b));
            rowsLeft += r;
            bytesLeft += b;
        }
        rows = rowsLeft;
        bytes = bytesLeft;
        byClass = List.copyOf(classes);
        waitingCount = waiting.size();
    }

    private static long total(long[] perClass) {
        long sum = 0;
        for (long n : perClass) {
            sum += n;
        }
        return sum;
    }

    private void recordCommitted(long seq) {
        try {
            reservation.committed(seq);
        } catch (IOException e) {
            Logger.error(e, "Cannot record the committed sequence beside the outbox");
        }
    }

    /** Rewrites the file once the backlog has drained, so a past outage does not occupy the disk for ever. */
    private void compact() {
        long before = store.fileBytes();
        long started = System.nanoTime();
        synchronized (storeLock) {
            try {
                store.compactAndClose();
            } catch (IOException | RuntimeException e) {
                // A full disk, say: every commit would otherwise try again while the file stays large.
                compactNotBefore = timeline.now() + TimeUnit.HOURS.toMillis(1);
                Logger.error(e, "Outbox compaction failed; reopening the file as it was, next try in an hour");
            }
            try {
                store = OutboxStore.open(settings.path());
            } catch (IOException | RuntimeException e) {
                problem = "outbox cannot be reopened after compaction: " + e.getMessage();
                Logger.error(e, "Outbox cannot be reopened after compaction");
                return;
            }
        }
        Logger.info("Outbox compacted from {} to {} bytes in {} ms", before, store.fileBytes(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        metrics.counter("storegw_outbox_compactions_total", "Times the drained outbox file was rewritten").increment();
    }

    /**
     * Counts and logs a step of the wall clock, and makes (or grows, while no commit has held it) the alarm that tells
     * central: the events the gateway stamped before it, while the clock was wrong, carry times off by as much.
     */
    private void clockStepped(long step) {
        clockSteps.increment();
        Logger.warn("The system clock was set {} by {} ({}); queued events keep their TTLs, and those stamped before carry"
                + " times that much {}", step > 0 ? "forward" : "back", Duration.ofMillis(Math.abs(step)),
                step > 0 ? "NTP's first sync after a boot?" : "a clock that ran ahead, corrected?", step > 0 ? "early" : "late");
        long total = unreportedStep == null ? step : unreportedStep.stepMillis() + step;
        Duration by = Duration.ofMillis(Math.abs(total));
        unreportedStep = new Alarm("clock.stepped", "The gateway's clock was set " + (total > 0 ? "forward" : "back") + " by " + by
                + " at " + clock.instant() + ". Events up to sequence " + (nextSeq - 1) + " (and those in the core loop then) were"
                + " stamped by the clock before; any it stamped while wrong carry times " + by + " too " + (total > 0 ? "early" : "late")
                + ". Queued events' TTLs count the time that passed, not the step.", null, CloudEventEncoder.sequence(nextSeq - 1),
                total);
    }

    /** Counts a failed commit, and logs it: the first of a spell in full, then a line a minute (a full disk fails every commit). */
    private void failed(List<Append> batch, Exception e) {
        writeFailures.increment();
        writable = false;
        long now = clock.millis();
        if (writeFailure == null) {
            writeFailure = new WriteFailure(now, e);
            Logger.error(e, "Outbox commit failed; {} appends refused", batch.size());
        }
        if (writeFailure.failed(batch.size(), events(batch), now)) {
            Logger.error("Outbox still cannot write ({}); {} so far", Errors.describe(e), writeFailure.summary());
        }
    }

    private static int events(List<Append> batch) {
        int events = 0;
        for (Append a : batch) {
            events += a.events().size();
        }
        return events;
    }

    /**
     * Opens the file again after H2 closed it on a failed write (its "panic"): the file still ends with the
     * last commit that was synced, which is what this outbox holds in memory. Without this, one full disk kept
     * every later commit failing until the gateway was restarted, also once space was freed.
     */
    private void reopen() {
        synchronized (storeLock) {
            store.close();
            try {
                store = OutboxStore.open(settings.path());
            } catch (IOException | RuntimeException e) {
                problem = "outbox cannot write, nor open its file again: " + Errors.describe(e);
                return; // the next commit tries again
            }
        }
        adoptStore();
        if (writeFailure.first()) {
            Logger.info("Outbox {} opened again after a failed write", store.file());
        }
    }

    /** Takes the counts of a store opened anew; its clock offset is older than the timeline's after a step: the next commit writes it. */
    private void adoptStore() {
        storedOffset = store.clockOffset();
        long[][] totals = store.totals();
        System.arraycopy(totals[0], 0, rowsByClass, 0, rowsByClass.length);
        System.arraycopy(totals[1], 0, bytesByClass, 0, bytesByClass.length);
        publishTotals();
    }

    /**
     * A page of the file does not read (a card's failing block, say): every commit that touched it, and every read of
     * the rows on it, failed for ever, and the gateway took and sent nothing. The file is kept aside, what still reads
     * is carried into a fresh one, and central is told which events may be missing for good.
     */
    private void salvage(Exception damage) {
        long now = clock.millis();
        if (now < salvageNotBefore) {
            return;
        }
        salvageNotBefore = now + TimeUnit.HOURS.toMillis(1);
        Path file = store.file();
        Path aside = aside(file);
        OutboxStore.Salvaged salvaged;
        long started = System.nanoTime();
        synchronized (storeLock) {
            store.close();
            boolean moved = false;
            try {
                Files.move(file, aside);
                moved = true;
                salvaged = OutboxStore.salvage(settings.path(), aside, nextSeq);
            } catch (IOException | RuntimeException e) {
                // No room for the copy, say: the damaged file goes back, nothing lost; the next try is in an hour.
                Logger.error(e, "Outbox {} is damaged ({}) and could not be salvaged", file, Errors.describe(damage));
                try {
                    if (moved) { // then the copy failed: its partial file gives way to the damaged one
                        Files.deleteIfExists(file);
                        Files.move(aside, file);
                    }
                    store = OutboxStore.open(settings.path());
                } catch (IOException | RuntimeException again) {
                    problem = "outbox damaged, not salvaged, and not open: " + Errors.describe(again);
                }
                return;
            }
            store = salvaged.store();
        }
        adoptStore();
        Logger.error("Outbox {} is damaged ({}): kept aside at {}; {} events that still read carried into a fresh file in {} ms,"
                + " {} unreadable stretches", file, Errors.describe(damage), aside, salvaged.events(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), salvaged.unreadable());
        metrics.counter("storegw_outbox_salvaged_total", "Damaged outbox files kept aside after what still read was carried over").increment();
        appendInternal(EventCatalogue.GATEWAY_ALARM, "outbox", new Alarm("outbox.salvaged", "The outbox file was found damaged ("
                + Errors.describe(damage) + "); it was kept aside, and the " + salvaged.events() + " queued events that still read were"
                + " carried into a fresh file and will be sent. " + salvaged.unreadable() + " stretches did not read: events up to"
                + " sequencesUpTo may be missing for good.", aside.toString(), CloudEventEncoder.sequence(nextSeq - 1)));
    }

    /** After a failed commit: 0.2 s, doubling with every failure in a row, up to 2 s. */
    private static void pause(long failuresInARow) {
        try {
            Thread.sleep(Math.min(2_000, 200L << Math.min(4, failuresInARow - 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sequence numbers removed in one commit, by reason, and the reports that name them. */
    private final class Drops {
        final SeqList budget = new SeqList();
        final SeqList expired = new SeqList();
        final SeqList purged = new SeqList();
        final SeqList consent = new SeqList();
        /** Refused by central's broker, by its reason code. */
        final Map<Integer, SeqList> refused = new TreeMap<>();
        /** Drop reports central's broker refused: removed, and not reported again. */
        final SeqList refusedReports = new SeqList();

        boolean isEmpty() {
            return budget.size == 0 && expired.size == 0 && purged.size == 0 && consent.size == 0 && refused.isEmpty()
                    && refusedReports.size == 0;
        }

        /** Every sequence number removed, whatever the reason, in a new list. */
        SeqList all() {
            SeqList all = new SeqList();
            List<SeqList> lists = new ArrayList<>(List.of(budget, expired, purged, consent, refusedReports));
            lists.addAll(refused.values());
            for (SeqList list : lists) {
                for (int i = 0; i < list.size; i++) {
                    all.add(list.values[i]);
                }
            }
            return all;
        }

        /** One {@code gateway.dropped} event per reason (and refusal code) that removed anything. */
        List<Event> reports() {
            List<Event> reports = new ArrayList<>(2);
            report(reports, "budget", null, budget);
            report(reports, "expired", null, expired);
            report(reports, "purged", null, purged);
            report(reports, "consent", null, consent);
            refused.forEach((code, list) -> report(reports, "refused", code < 0 ? null : code, list));
            return reports;
        }

        private void report(List<Event> reports, String reason, Integer code, SeqList list) {
            if (list.size > 0) {
                long[] seqs = Arrays.copyOf(list.values, list.size);
                Arrays.sort(seqs);
                reports.add(new Event(ids.next(), EventCatalogue.GATEWAY_DROPPED, clock.instant(), "outbox",
                        DataClass.ANONYMOUS, Dropped.of(reason, code, seqs, seqs.length)));
            }
        }

        /** After the commit: count and log what went. */
        void count() {
            count("budget", budget);
            count("expired", expired);
            count("purged", purged);
            count("consent", consent);
            refused.values().forEach(list -> count("refused", list));
            if (refusedReports.size > 0) {
                metrics.counter("storegw_outbox_dropped_total", "Events removed unsent, by reason", "reason", "refused")
                        .add(refusedReports.size);
                Logger.error("Outbox removed {} drop reports that central's broker refused; they cannot be reported again",
                        refusedReports.size);
            }
        }

        private void count(String reason, SeqList list) {
            if (list.size > 0) {
                metrics.counter("storegw_outbox_dropped_total", "Events removed unsent, by reason", "reason", reason).add(list.size);
                Logger.warn("Outbox dropped {} events ({}), reported in gateway.dropped", list.size, reason);
            }
        }
    }

    /** A growable list of longs, so shedding a million rows does not box a million Longs. */
    private static final class SeqList {
        long[] values = new long[64];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    /** Commits what is queued, then closes the store. */
    @Override
    public void close() {
        closing = true;
        synchronized (commitSignal) {
            commitSignal.notifyAll();
        }
        try {
            committer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (storeLock) {
            store.close();
        }
        try {
            reservation.close();
        } catch (IOException e) {
            Logger.warn("Closing {}: {}", settings.path() + ".seq", e.getMessage());
        }
    }

    /** For tests: the committer has nothing queued. */
    boolean idle() {
        return appends.isEmpty() && acks.isEmpty() && waitingCount == 0 && refusals.isEmpty();
    }
}
