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
            string(buff, r.id());
            string(buff, r.type());
            string(buff, r.subject());
            string(buff, r.topic());
            // Length + 1, so that 0 stands for "no member" and an empty pseudonym stays empty.
            buff.putVarInt(e.member() == null ? 0 : e.member().length() + 1);
            if (e.member() != null) {
                buff.putStringData(e.member(), e.member().length());
            }
            buff.putVarInt(r.payload().length).put(r.payload());
        }

        private static void string(WriteBuffer buff, String s) {
            buff.putVarInt(s.length()).putStringData(s, s.length());
        }

        @Override
        public StoredEvent read(ByteBuffer buff) {
            long seq = DataUtils.readVarLong(buff);
            EventClass cls = CLASSES[buff.get()];
            long created = DataUtils.readVarLong(buff);
            long expires = DataUtils.readVarLong(buff);
            String id = DataUtils.readString(buff);
            String type = DataUtils.readString(buff);
            String subject = DataUtils.readString(buff);
            String topic = DataUtils.readString(buff);
            int member = DataUtils.readVarInt(buff);
            String who = member == 0 ? null : DataUtils.readString(buff, member - 1);
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
