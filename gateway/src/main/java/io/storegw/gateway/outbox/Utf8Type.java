package io.storegw.gateway.outbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

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
}
