package io.storegw.gateway.outbox;

import io.storegw.gateway.event.EventClass;
import java.nio.ByteBuffer;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * One queued event as the outbox file holds it: the row the uplink reads, and the member it is about (for
 * a consent purge). Made by the committer it is a {@link Decoded} row; read from the file it stays the
 * file's bytes until asked ({@link Stored}).
 */
sealed interface StoredEvent {

    OutboxRow row();

    /** The member's pseudonym, or null for an anonymous event. */
    String member();

    /** (seq, class ordinal, payload size, created, expires): what the committer's scans need of a row. */
    long[] summary();

    static StoredEvent of(OutboxRow row, String member) {
        return new Decoded(row, member);
    }

    /** An event as the committer inserts it. */
    record Decoded(OutboxRow row, String member) implements StoredEvent {

        @Override
        public long[] summary() {
            return new long[] {row.seq(), row.eventClass().ordinal(), row.payload().length, row.createdMillis(), row.expiresMillis()};
        }
    }

    /**
     * An event as read from the file, decoded only as far as asked. MVStore reads whole pages: deleting an
     * acknowledged row, or a scan for the oldest rows, decoded every event on the page (five strings and a
     * payload each) for a number or nothing, and wrote them out again, re-encoded, into the page's next
     * version. This copies the bytes once and writes them back as they are.
     */
    record Stored(byte[] bytes) implements StoredEvent {

        @Override
        public OutboxRow row() {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long seq = DataUtils.readVarLong(b);
            EventClass cls = Type.CLASSES[b.get()];
            long created = DataUtils.readVarLong(b);
            long expires = DataUtils.readVarLong(b);
            String id = Utf8Type.get(b);
            String type = Utf8Type.get(b);
            String subject = Utf8Type.get(b);
            String topic = Utf8Type.get(b);
            if (b.get() != 0) {
                skip(b);
            }
            byte[] payload = new byte[DataUtils.readVarInt(b)];
            b.get(payload);
            return new OutboxRow(seq, cls, id, type, subject, topic, created, expires, payload);
        }

        @Override
        public String member() {
            ByteBuffer b = afterHeader();
            for (int i = 0; i < Type.STRINGS; i++) {
                skip(b);
            }
            return b.get() == 0 ? null : Utf8Type.get(b);
        }

        @Override
        public long[] summary() {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long seq = DataUtils.readVarLong(b);
            int cls = b.get();
            long created = DataUtils.readVarLong(b);
            long expires = DataUtils.readVarLong(b);
            skipTexts(b);
            return new long[] {seq, cls, DataUtils.readVarInt(b), created, expires};
        }

        private ByteBuffer afterHeader() {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            DataUtils.readVarLong(b);
            b.get();
            DataUtils.readVarLong(b);
            DataUtils.readVarLong(b);
            return b;
        }
    }

    /** Moves past the text fields and the optional member, to the payload's length. */
    private static void skipTexts(ByteBuffer b) {
        for (int i = 0; i < Type.STRINGS; i++) {
            skip(b);
        }
        if (b.get() != 0) {
            skip(b);
        }
    }

    /** Moves past a length-prefixed field. */
    private static void skip(ByteBuffer b) {
        int length = DataUtils.readVarInt(b);
        b.position(b.position() + length);
    }

    /**
     * The layout of a stored event in the file: seq, class, created, expires, id, type, subject, topic, an
     * optional member, the payload. The sequence number and class are repeated so a value reads back whole.
     */
    final class Type extends BasicDataType<StoredEvent> {

        static final Type INSTANCE = new Type();
        static final EventClass[] CLASSES = EventClass.values();
        /** The text fields every event has: id, type, subject, topic. */
        static final int STRINGS = 4;
        private static final StoredEvent[] NONE = new StoredEvent[0];

        private Type() {
        }

        @Override
        public int getMemory(StoredEvent e) {
            if (e instanceof Stored s) {
                return 32 + s.bytes().length;
            }
            OutboxRow r = e.row();
            return 96 + 2 * (r.id().length() + r.type().length() + r.subject().length() + r.topic().length()) + r.payload().length;
        }

        @Override
        public void write(WriteBuffer buff, StoredEvent e) {
            if (e instanceof Stored s) {
                buff.put(s.bytes());
                return;
            }
            OutboxRow r = e.row();
            buff.putVarLong(r.seq()).put((byte) r.eventClass().ordinal())
                    .putVarLong(r.createdMillis()).putVarLong(r.expiresMillis());
            Utf8Type.put(buff, r.id());
            Utf8Type.put(buff, r.type());
            Utf8Type.put(buff, r.subject());
            Utf8Type.put(buff, r.topic());
            buff.put((byte) (e.member() == null ? 0 : 1));
            if (e.member() != null) {
                Utf8Type.put(buff, e.member());
            }
            buff.putVarInt(r.payload().length).put(r.payload());
        }

        @Override
        public StoredEvent read(ByteBuffer buff) {
            int start = buff.position();
            DataUtils.readVarLong(buff);
            byte cls = buff.get();
            if (cls < 0 || cls >= CLASSES.length) {
                throw new IllegalStateException("not a stored event: class " + cls);
            }
            DataUtils.readVarLong(buff);
            DataUtils.readVarLong(buff);
            skipTexts(buff);
            skip(buff); // the payload
            byte[] bytes = new byte[buff.position() - start];
            buff.get(start, bytes);
            return new Stored(bytes);
        }

        @Override
        public StoredEvent[] createStorage(int size) {
            return size == 0 ? NONE : new StoredEvent[size];
        }
    }
}
