package io.storegw.drivers.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A folder where a source keeps input it refused, each body beside a {@code .reason} file, for a person
 * to look at or replay. Bounded: past {@code maxFiles} in one run, refusals are only counted, so a
 * device sending garbage in a loop cannot fill the disk.
 */
public final class DeadLetters {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** A sender's part of a file name: with the stamp, the number and the suffix, well under the 255 bytes a name may have. */
    private static final int MAX_SENDER_CHARS = 100;

    private final Path folder;
    private final Clock clock;
    private final long maxFiles;
    private final AtomicLong written = new AtomicLong();

    public DeadLetters(Path folder, Clock clock, long maxFiles) {
        this.folder = folder;
        this.clock = clock;
        this.maxFiles = maxFiles;
    }

    /**
     * Keeps a refused body as {@code {time}-{sender}-{n}{suffix}}.
     *
     * @return false when it was not kept (the folder's limit reached)
     * @throws IOException when the folder cannot be written
     */
    public boolean keep(String sender, String suffix, byte[] body, String reason) throws IOException {
        long n = written.incrementAndGet();
        if (n > maxFiles) {
            return false;
        }
        Files.createDirectories(folder);
        // The sender is cut: a device's topic of any length became a file name over the 255 bytes a name may have
        // ("File name too long", and the source reported a problem). The reason file says who it was in full.
        String who = sender.replaceAll("[^A-Za-z0-9_.-]", "_");
        String name = STAMP.format(clock.instant()) + "-" + who.substring(0, Math.min(who.length(), MAX_SENDER_CHARS)) + "-" + n + suffix;
        Files.write(folder.resolve(name), body);
        Files.writeString(folder.resolve(name + ".reason"), reason + "\n");
        return true;
    }

    public Path folder() {
        return folder;
    }
}
