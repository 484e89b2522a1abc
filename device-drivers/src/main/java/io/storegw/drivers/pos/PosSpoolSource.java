package io.storegw.drivers.pos;

import io.storegw.drivers.Errors;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.source.Refused;
import io.storegw.drivers.source.SourceThread;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tills that write files: a document dropped into the spool folder (written under another name, then
 * renamed, so it is whole when it appears; its name says its format, see {@link PosFormat#ofFileName})
 * is read, handed over, and moved to {@code done/} once every transaction in it is durable, or to
 * {@code failed/} with a {@code .reason} file when it cannot be taken. A file the gateway pushes back
 * on stays and is tried again. Re-reading a file after a crash between commit and move is safe: its
 * transactions' idempotency keys make them no-ops. Files in {@code done/} are deleted after
 * {@code keepDone}.
 */
public final class PosSpoolSource implements ObservationSource {

    /**
     * @param poll     how often the folder is looked at
     * @param keepDone how long taken files stay in {@code done/} (for a technician to look at)
     */
    public record Settings(Path folder, Duration poll, Duration keepDone, PosSettings parser) {
    }

    static final String NAME = "pos-spool";
    /**
     * Files taken per look at the folder. A folder of every sale of weeks (a gateway long off, tills writing on) listed
     * whole would be held in the heap whole: about 200 bytes a name, a million names past the appliance's heap.
     */
    static final int PER_PASS = 1_000;
    private static final long DURABLE_WAIT_SECONDS = 60;

    private final Settings settings;
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final PosReader reader;
    private final Clock clock;
    private volatile SourceThread thread;
    private volatile String problem;

    public PosSpoolSource(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.reader = new PosReader(settings.parser());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public void start(ObservationSink sink) {
        thread = SourceThread.start("source-pos-spool", () -> run(sink));
    }

    private void run(ObservationSink sink) {
        try {
            Files.createDirectories(settings.folder().resolve("done"));
            Files.createDirectories(settings.folder().resolve("failed"));
        } catch (IOException e) {
            problem = "cannot create the spool folders under " + settings.folder() + ": " + Errors.describe(e);
            return;
        }
        Instant nextPrune = clock.instant();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                for (Path file : waiting()) {
                    take(file, sink);
                }
                if (!clock.instant().isBefore(nextPrune)) {
                    pruneDone();
                    nextPrune = clock.instant().plus(PRUNE_EVERY);
                }
                Thread.sleep(settings.poll().toMillis());
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                problem = "spool folder " + settings.folder() + ": " + Errors.describe(e);
                try {
                    Thread.sleep(settings.poll().toMillis());
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /**
     * Whole files waiting, oldest name first, at most {@link #PER_PASS} of them; names a writer is still using
     * ({@code .tmp}, {@code .part}, dot files) are left.
     */
    List<Path> waiting() throws IOException {
        PriorityQueue<Path> first = new PriorityQueue<>(Comparator.reverseOrder()); // its head: the last name kept
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(settings.folder())) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && !name.startsWith(".") && !name.endsWith(".tmp") && !name.endsWith(".part")) {
                    first.add(p);
                    if (first.size() > PER_PASS) {
                        first.poll();
                    }
                }
            }
        }
        List<Path> files = new ArrayList<>(first);
        files.sort(null);
        return files;
    }

    private void take(Path file, ObservationSink sink) throws IOException, InterruptedException {
        PosDocument document;
        try (InputStream in = Files.newInputStream(file)) {
            document = reader.read(PosFormat.ofFileName(file.getFileName().toString()), in);
        } catch (PosFormatException e) {
            sink.refused(NAME, "malformed", "spool file " + file.getFileName() + ": " + e.getMessage() + " (moved to failed/)");
            fail(file, e.getMessage());
            return;
        }
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        for (PosTransaction t : document.transactions()) {
            durable.add(sink.accept(t).toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).get(DURABLE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Refused refused = Refused.of(e.getCause());
            if (refused.retry() == Refused.Retry.NEVER) {
                sink.refused(NAME, "unprocessable", "spool file " + file.getFileName() + ": " + refused.getMessage() + " (moved to failed/)");
                fail(file, refused.getMessage());
            } else {
                // the file stays and is tried again; what did commit will be a no-op then
                problem = "spool file " + file.getFileName() + " not taken yet: " + refused.getMessage();
                sink.refused(NAME, "pushed-back", problem);
            }
            return;
        } catch (TimeoutException e) {
            problem = "spool file " + file.getFileName() + " not taken yet: not durable within " + DURABLE_WAIT_SECONDS + " s";
            sink.refused(NAME, "pushed-back", problem);
            return;
        }
        problem = null;
        Path done = Files.move(file, settings.folder().resolve("done").resolve(file.getFileName()),
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // kept for keepDone from now, not from when the till wrote it
        Files.setLastModifiedTime(done, FileTime.from(clock.instant()));
    }

    private void fail(Path file, String reason) throws IOException {
        Path failed = settings.folder().resolve("failed").resolve(file.getFileName());
        Files.writeString(failed.resolveSibling(file.getFileName() + ".reason"), reason + "\n");
        Files.move(file, failed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes taken files older than {@code keepDone}; {@code failed/} is left for a person to look at. */
    void pruneDone() throws IOException {
        Instant cutoff = clock.instant().minus(settings.keepDone());
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(settings.folder().resolve("done"))) {
            for (Path p : dir) {
                if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Override
    public void close() {
        SourceThread t = thread;
        if (t != null) {
            t.stop();
        }
    }
}
