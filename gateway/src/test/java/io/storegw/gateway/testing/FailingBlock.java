package io.storegw.gateway.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.Page;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;

/**
 * Damages one page of queued events in a closed outbox file, as a failing block of an SD card would: the file still
 * opens, that page no longer reads. The page is found through H2's own tree (a middle child of the largest events
 * map's root), so the damage lands on live events whatever the file's layout; noise at a fixed offset had landed on
 * free space in one run and on the newest chunk in another.
 */
public final class FailingBlock {

    private static final Pattern BLOCK = Pattern.compile("(?:^|,)block:([0-9a-f]+)");

    private FailingBlock() {
    }

    /** The sequence numbers of the damaged page: its events are those from {@code from} and before {@code before}. */
    public record Damaged(long from, long before) {
    }

    /** Garbles the head of a page of events in the middle of {@code file}'s largest events map. */
    public static Damaged damageAPageOfEvents(Path file) throws IOException {
        long position;
        Damaged damaged;
        MVStore store = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        try {
            MVMap<Long, byte[]> events = null;
            for (String name : store.getMapNames()) {
                if (name.startsWith("events.")) {
                    MVMap<Long, byte[]> map = store.openMap(name,
                            new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
                    if (events == null || map.sizeAsLong() > events.sizeAsLong()) {
                        events = map;
                    }
                }
            }
            Page<Long, byte[]> root = events == null ? null : events.getRootPage();
            if (root == null || root.isLeaf()) {
                throw new IllegalStateException("too few events in " + file + " for a page among others");
            }
            int child = root.getRawChildPageCount() / 2;
            long pos = root.getChildPagePos(child);
            damaged = new Damaged(root.getKey(child - 1), child < root.getKeyCount() ? root.getKey(child) : Long.MAX_VALUE);
            String chunk = store.getLayoutMap().get("chunk." + Integer.toHexString(DataUtils.getPageChunkId(pos)));
            Matcher block = BLOCK.matcher(chunk);
            if (!block.find()) {
                throw new IllegalStateException("no block in " + chunk);
            }
            position = Long.parseLong(block.group(1), 16) * 4096 + DataUtils.getPageOffset(pos);
        } finally {
            store.close();
        }
        byte[] noise = new byte[64];
        new Random(3).nextBytes(noise);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            raf.write(noise);
        }
        return damaged;
    }
}
