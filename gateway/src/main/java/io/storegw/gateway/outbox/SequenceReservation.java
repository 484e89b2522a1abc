package io.storegw.gateway.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A small file beside the store holding the highest sequence number that may have been used.
 *
 * <p>Sequence numbers are reserved in blocks, so the file is written once per block, not per commit.
 * It exists for the day the store itself is lost: the fresh store continues above the reservation,
 * so central never sees a number twice and can tell exactly which range may be missing.
 */
final class SequenceReservation {

    static final long BLOCK = 100_000;

    private final Path file;
    private long ceiling;

    SequenceReservation(Path file) throws IOException {
        this.file = file;
        this.ceiling = Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
    }

    /** The highest number reserved so far (0 when none). */
    long ceiling() {
        return ceiling;
    }

    /** Makes sure every number up to {@code seq} is reserved, durably, before it is used. */
    void cover(long seq) throws IOException {
        if (seq <= ceiling) {
            return;
        }
        long next = (seq / BLOCK + 1) * BLOCK;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((next + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ceiling = next;
    }
}
