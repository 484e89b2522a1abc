package io.storegw.gateway.outbox;

import io.storegw.gateway.event.EventClass;
import java.nio.ByteBuffer;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * One queued event as the outbox file holds it: the row the uplink reads, and the member it is about (for a consent purge).
 *
 * @param member the member's pseudonym, or null for an anonymous event
 */
record StoredEvent(OutboxRow row, String member) {

    /** The layout of a stored event in the file; the sequence number and class are repeated so a value reads back whole. */
    static final class Type extends BasicDataType<StoredEvent> {

        static final Type INSTANCE = new Type();
        private static final EventClass[] CLASSES = EventClass.values();
        private static final StoredEvent[] NONE = new StoredEvent[0];

        private Type() {
        }

        @Override
        public int getMemory(StoredEvent e) {
            OutboxRow r = e.row();
            return 96 + 2 * (r.id().length() + r.type().length() + r.subject().length() + r.topic().length()) + r.payload().length;
        }

        @Override
        public void write(WriteBuffer buff, StoredEvent e) {
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
            long seq = DataUtils.readVarLong(buff);
            EventClass cls = CLASSES[buff.get()];
            long created = DataUtils.readVarLong(buff);
            long expires = DataUtils.readVarLong(buff);
            String id = Utf8Type.get(buff);
            String type = Utf8Type.get(buff);
            String subject = Utf8Type.get(buff);
            String topic = Utf8Type.get(buff);
            String who = buff.get() == 0 ? null : Utf8Type.get(buff);
            byte[] payload = new byte[DataUtils.readVarInt(buff)];
            buff.get(payload);
            return new StoredEvent(new OutboxRow(seq, cls, id, type, subject, topic, created, expires, payload), who);
        }

        @Override
        public StoredEvent[] createStorage(int size) {
            return size == 0 ? NONE : new StoredEvent[size];
        }
    }
}
