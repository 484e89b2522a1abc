package io.storegw.gateway.uplink;

import io.storegw.drivers.Errors;
import io.storegw.drivers.source.DeadLetters;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.metrics.Refusals;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.outbox.OutboxRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What becomes of an event central's broker refused for good: a copy is kept in a folder (the source was told
 * it was taken, so this is the only copy left), it is counted and logged, and the outbox removes it and names it
 * in a {@code gateway.dropped} event of reason {@code refused}, so the rest of the store's events go on.
 */
final class RefusedEvents {

    private final Outbox outbox;
    private final DeadLetters folder;
    private final Metrics metrics;
    private final Refusals refusals;
    /**
     * Rows refused lately, whose removal the outbox may not have committed yet: a connection that starts meanwhile
     * reads them again and must not send them. A removal commits within a tenth of a second, so a few suffice.
     */
    private final Set<Long> pending = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > 1_024;
        }
    }));
    /** Whether anything was refused: until then reads skip nothing without a look-up. */
    private volatile boolean any;

    RefusedEvents(Outbox outbox, DeadLetters folder, Metrics metrics, Clock clock) {
        this.outbox = outbox;
        this.folder = folder;
        this.metrics = metrics;
        this.refusals = new Refusals(clock, "Central's broker refused", "events");
    }

    /** Any thread; rare, so the copy is written by the caller. */
    void refused(OutboxRow row, Refusal why) {
        String what = "event " + CloudEventEncoder.sequence(row.seq()) + " (" + row.type() + ", " + row.payload().length
                + " bytes, on " + row.topic() + "): " + why.describe();
        String code = why.code() == Refusal.CLOSED ? "closed" : String.valueOf(why.code());
        metrics.counter("storegw_uplink_refused_total", "Events central's broker refused for good, by MQTT 5 reason code "
                + "(removed and reported in gateway.dropped; closed: the broker closed the connection on it)",
                "code", code).increment();
        refusals.refused(code, what, "Central's broker refused " + what + "; reported in gateway.dropped, " + keep(row, what));
        pending.add(row.seq());
        any = true;
        outbox.refuse(row, why.code());
    }

    /** Whether the row was refused lately (its removal may not be committed yet). */
    boolean pending(long seq) {
        return any && pending.contains(seq);
    }

    /** Events refused for good since the start, and the last of them with its time. */
    Refusals.Tally tally() {
        return refusals.tally();
    }

    /** The events kept in the folder and not sent again yet, oldest first (their names start with the time). */
    List<Path> kept() throws IOException {
        if (!Files.isDirectory(folder.folder())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder.folder())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Central's broker took a kept event after all: it moves, with its reason, to {@code sent/}. */
    void sent(Path event) throws IOException {
        Path sent = Files.createDirectories(folder.folder().resolve("sent"));
        Files.move(event, sent.resolve(event.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Path reason = Path.of(event + ".reason");
        if (Files.exists(reason)) {
            Files.move(reason, sent.resolve(reason.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private String keep(OutboxRow row, String what) {
        try {
            return folder.keep("seq" + row.seq(), ".json", row.payload(), "central's broker refused " + what)
                    ? "kept in " + folder.folder() : "not kept (the folder's limit for this run is reached)";
        } catch (IOException | RuntimeException e) {
            return "not kept: " + Errors.describe(e);
        }
    }
}
