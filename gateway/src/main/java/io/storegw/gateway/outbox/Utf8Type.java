package io.storegw.gateway.outbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ByteArrayDataType;

/**
 * Strings in the outbox file, as their UTF-8 bytes. MVStore's own string type writes a char at a time
 * through bounds-checked puts, which was 30% of the committer's samples at full load (idempotency keys'
 * pages, events' text fields); a bulk copy of the bytes is what the JDK makes fast.
 */
final class Utf8Type extends BasicDataType<String> {

    static final Utf8Type INSTANCE = new Utf8Type();
    private static final String[] NONE = new String[0];

    private Utf8Type() {
    }

    static void put(WriteBuffer buff, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        buff.putVarInt(bytes.length).put(bytes);
    }

    static String get(ByteBuffer buff) {
        int length = DataUtils.readVarInt(buff);
        String s;
        if (buff.hasArray()) {
            s = new String(buff.array(), buff.arrayOffset() + buff.position(), length, StandardCharsets.UTF_8);
            buff.position(buff.position() + length);
        } else {
            byte[] bytes = new byte[length];
            buff.get(bytes);
            s = new String(bytes, StandardCharsets.UTF_8);
        }
        return s;
    }

    @Override
    public int getMemory(String s) {
        return 24 + s.length();
    }

    @Override
    public void write(WriteBuffer buff, String s) {
        put(buff, s);
    }

    @Override
    public String read(ByteBuffer buff) {
        return get(buff);
    }

    @Override
    public int compare(String a, String b) {
        return a.compareTo(b);
    }

    @Override
    public String[] createStorage(int size) {
        return size == 0 ? NONE : new String[size];
    }

    /**
     * Idempotency keys kept as their UTF-8 bytes in memory too: every commit rewrites the pages that take
     * the new keys (a leaf per till, the path above it), and encoding their strings again each time was a
     * sixth of the committer at full load (JFR). H2's {@link ByteArrayDataType} writes this very layout
     * ({@link Utf8Type}'s too, so a file written with either reads with the other) but has no order, which
     * a key needs: this adds it. The order is the bytes' (code points'), which is String's own for every
     * key without characters from U+E000 up.
     */
    static final class Bytes extends BasicDataType<byte[]> {

        static final Bytes INSTANCE = new Bytes();
        private static final ByteArrayDataType LAYOUT = ByteArrayDataType.INSTANCE;

        private Bytes() {
        }

        @Override
        public int getMemory(byte[] b) {
            return LAYOUT.getMemory(b);
        }

        @Override
        public void write(WriteBuffer buff, byte[] b) {
            LAYOUT.write(buff, b);
        }

        @Override
        public byte[] read(ByteBuffer buff) {
            return LAYOUT.read(buff);
        }

        @Override
        public int compare(byte[] a, byte[] b) {
            return Arrays.compareUnsigned(a, b);
        }

        @Override
        public byte[][] createStorage(int size) {
            return LAYOUT.createStorage(size);
        }
    }
}
