package io.storegw.gateway.outbox;

import io.storegw.gateway.event.EventClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * The SQL of the outbox, on one H2 file. Knows tables and statements, nothing of batching or policy.
 *
 * <p>{@code WRITE_DELAY=0} writes each commit at once and {@link #sync()} forces it to the device, so a
 * commit survives {@code kill -9} and power cuts; {@code RETENTION_TIME=0} lets H2 reuse freed space at
 * once, which keeps the file proportional to the backlog (measured: 2.3 GB vs about 200 MB for 100k rows
 * without it), as long as {@link #tidy()} frees the chunks that keep a few live pages.
 * {@code FILE_LOCK=FS} is an OS lock, released when a killed process dies.
 * {@code MAX_COMPACT_TIME=0} turns off the compaction H2 2.3.232 runs while closing a database: it lost
 * committed rows (OutboxTest's close-and-reopen after deletions found an empty table in 4 of 6 runs;
 * h2database#4247 reports the same), so an orderly restart could have emptied the outbox. The outbox
 * compacts itself with {@code SHUTDOWN COMPACT} once drained, which this setting does not touch.
 * {@code CACHE_SIZE=2048} (KB): the outbox reads what it has just written, so a small page cache
 * hits; at 8 MB the cache's churn was promoted to the old generation and cost full GCs (measured:
 * 59 full GCs in 40 s at full load with 8 MB and the old queue depths, 18 with 2 MB and shallower queues,
 * and 14% more events committed).
 */
final class OutboxStore implements AutoCloseable {

    static final String SUFFIX = ".mv.db";
    /** The largest encoded event a row holds (H2's VARBINARY limit). */
    static final int MAX_PAYLOAD = 1_000_000;
    /** The longest idempotency key; sources hash anything longer. */
    static final int MAX_KEY = 256;
    /** {@link #tidy()} works on a file larger than this ... */
    private static final long TIDY_ABOVE_BYTES = 8L << 20;
    /** ... while less than this percent of the chunks' bytes is live ... */
    private static final int TIDY_BELOW_FILL_PERCENT = 50;
    /** ... and moves at most this many live bytes a call. */
    private static final int TIDY_MOVE_BYTES = 64 << 10;

    private final Path base;
    private Connection writer;
    private Connection reader;
    private PreparedStatement insert;
    private PreparedStatement delete;
    private PreparedStatement read;
    private PreparedStatement setNextSeq;
    private PreparedStatement keyForget;
    private PreparedStatement keyRemember;
    private PreparedStatement keysForget;
    private PreparedStatement save;
    private PreparedStatement forget;
    private MVStore pages;

    static final String READ = "SELECT seq, cls, id, type, subject, topic, created, expires, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?";

    private OutboxStore(Path base) {
        this.base = base;
    }

    /** Opens (or creates) the store at {@code base} (H2 adds {@code .mv.db}). */
    static OutboxStore open(Path base) throws SQLException {
        OutboxStore store = new OutboxStore(base);
        try {
            store.connect();
            return store;
        } catch (SQLException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    Path file() {
        return Path.of(base + SUFFIX);
    }

    private String url() {
        return "jdbc:h2:file:" + base.toAbsolutePath() + ";WRITE_DELAY=0;RETENTION_TIME=0;CACHE_SIZE=2048;FILE_LOCK=FS;DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=0";
    }

    private void connect() throws SQLException {
        writer = DriverManager.getConnection(url(), "storegw", "");
        try (Statement s = writer.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS events(seq BIGINT PRIMARY KEY, cls TINYINT NOT NULL, id VARCHAR(64) NOT NULL,"
                    + " type VARCHAR(128) NOT NULL, subject VARCHAR(512) NOT NULL, topic VARCHAR(512) NOT NULL,"
                    + " created BIGINT NOT NULL, expires BIGINT NOT NULL, size INT NOT NULL, payload VARBINARY(" + MAX_PAYLOAD + ") NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS events_by_class ON events(cls, seq)");
            // Added for consent revocation; no index: a revocation is rare and may scan, every insert may not pay.
            s.execute("ALTER TABLE events ADD COLUMN IF NOT EXISTS member VARCHAR(" + MAX_KEY + ")");
            s.execute("CREATE TABLE IF NOT EXISTS meta(k VARCHAR(64) PRIMARY KEY, v BIGINT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS idempotency(k VARCHAR(" + MAX_KEY + ") PRIMARY KEY, at BIGINT NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS idempotency_by_time ON idempotency(at)");
            s.execute("CREATE TABLE IF NOT EXISTS saved(k VARCHAR(" + MAX_KEY + ") PRIMARY KEY, v VARBINARY(" + MAX_PAYLOAD + ") NOT NULL)");
            s.execute("MERGE INTO meta KEY(k) SELECT 'next_seq', COALESCE((SELECT v FROM meta WHERE k = 'next_seq'), 1)");
            // Reading every page once is how a damaged file shows itself now, not in the middle of the night.
            s.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM events");
        }
        writer.setAutoCommit(false);
        writer.commit();
        reader = DriverManager.getConnection(url(), "storegw", "");
        insert = writer.prepareStatement("INSERT INTO events(seq, cls, id, type, subject, topic, created, expires, size, payload, member)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        delete = writer.prepareStatement("DELETE FROM events WHERE seq = ?");
        setNextSeq = writer.prepareStatement("UPDATE meta SET v = ? WHERE k = 'next_seq'");
        keyForget = writer.prepareStatement("DELETE FROM idempotency WHERE k = ?");
        keyRemember = writer.prepareStatement("INSERT INTO idempotency VALUES (?, ?)");
        keysForget = writer.prepareStatement("DELETE FROM idempotency WHERE at < ?");
        save = writer.prepareStatement("MERGE INTO saved KEY(k) VALUES (?, ?)");
        forget = writer.prepareStatement("DELETE FROM saved WHERE k = ?");
        read = reader.prepareStatement(READ);
        pages = ((SessionLocal) writer.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
    }

    /**
     * Moves the live pages out of mostly dead chunks into the next commit, so that those chunks' space is
     * freed and reused. H2 does this in its background writer, which
     * {@code WRITE_DELAY=0} does not start: without it, a chunk that keeps one live page (an index node,
     * an idempotency key) is never freed, and at full load the file grew by 12 MB/s while the backlog
     * stayed a few MB. Called by the committer before a commit, so the moved pages reach the disk with
     * that commit's sync, before the space they leave can be written over.
     */
    void tidy() {
        // Small steps, every commit: H2 moves the oldest, emptiest chunks first, the ones that would not
        // die by themselves. Measured at full load: 4 MB once a second took 80-650 ms a call (it moved the
        // young backlog too); 64 KB per commit held the file under 34 MB for about 3% of the committer.
        // A small file is left alone: there, every commit would move the whole store for nothing.
        if (pages.getFileStore().size() > TIDY_ABOVE_BYTES) {
            pages.compact(TIDY_BELOW_FILL_PERCENT, TIDY_MOVE_BYTES);
        }
    }

    long nextSeq() throws SQLException {
        try (Statement s = writer.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM meta WHERE k = 'next_seq'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows and bytes per class, indexed by {@link EventClass#ordinal()}. */
    long[][] totals() throws SQLException {
        long[][] totals = new long[2][EventClass.values().length];
        try (Statement s = writer.createStatement();
             ResultSet rs = s.executeQuery("SELECT cls, COUNT(*), SUM(size) FROM events GROUP BY cls")) {
            while (rs.next()) {
                totals[0][rs.getInt(1)] = rs.getLong(2);
                totals[1][rs.getInt(1)] = rs.getLong(3);
            }
        }
        return totals;
    }

    void insert(long seq, EventClass cls, String id, String type, String subject, String topic, long created,
                long expires, byte[] payload, String member) throws SQLException {
        insert.setLong(1, seq);
        insert.setInt(2, cls.ordinal());
        insert.setString(3, id);
        insert.setString(4, type);
        insert.setString(5, subject);
        insert.setString(6, topic);
        insert.setLong(7, created);
        insert.setLong(8, expires);
        insert.setInt(9, payload.length);
        insert.setBytes(10, payload);
        insert.setString(11, member);
        insert.addBatch();
    }

    void flushInserts() throws SQLException {
        insert.executeBatch();
    }

    /** Deletes rows; returns, per row, whether it was still there. */
    boolean[] delete(long[] seqs, int count) throws SQLException {
        for (int i = 0; i < count; i++) {
            delete.setLong(1, seqs[i]);
            delete.addBatch();
        }
        int[] updated = delete.executeBatch();
        boolean[] deleted = new boolean[count];
        for (int i = 0; i < count; i++) {
            deleted[i] = updated[i] > 0;
        }
        return deleted;
    }

    /**
     * Remembers an idempotency key; false when it is already there (committed, or written earlier in this
     * transaction), in which case nothing changes: a failed statement leaves H2's transaction as it was.
     */
    boolean rememberKey(String key, long at) throws SQLException {
        keyRemember.setString(1, key);
        keyRemember.setLong(2, at);
        try {
            keyRemember.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (e.getErrorCode() == org.h2.api.ErrorCode.DUPLICATE_KEY_1) {
                return false;
            }
            throw e;
        }
    }

    void forgetKey(String key) throws SQLException {
        keyForget.setString(1, key);
        keyForget.executeUpdate();
    }

    /** Forgets keys remembered before {@code at}; returns how many. */
    int forgetKeysBefore(long at) throws SQLException {
        keysForget.setLong(1, at);
        return keysForget.executeUpdate();
    }

    void save(String key, byte[] state) throws SQLException {
        save.setString(1, key);
        save.setBytes(2, state);
        save.executeUpdate();
    }

    void forget(String key) throws SQLException {
        forget.setString(1, key);
        forget.executeUpdate();
    }

    /** The committed states under keys starting with {@code prefix}, in key order. */
    List<byte[]> saved(String prefix) throws SQLException {
        try (PreparedStatement p = reader.prepareStatement("SELECT v FROM saved WHERE LEFT(k, ?) = ? ORDER BY k")) {
            p.setInt(1, prefix.length());
            p.setString(2, prefix);
            List<byte[]> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
            return out;
        }
    }

    void setNextSeq(long next) throws SQLException {
        setNextSeq.setLong(1, next);
        setNextSeq.executeUpdate();
    }

    /**
     * Ordered by the whole index key, (cls, seq): with {@code ORDER BY seq} alone H2 reads every row of the
     * class and sorts before the limit (measured: 66,668 rows scanned for a limit of 1,000), which made
     * TTL checks slow the committer to about 550 events/s on a 233,000-event backlog.
     */
    static final String OLDEST = "SELECT seq, cls, size, created, expires FROM events WHERE cls = ? AND seq > ? ORDER BY cls, seq LIMIT ?";

    /** Every queued row about one member, as (seq, cls, size, created, expires). */
    List<long[]> about(String member) throws SQLException {
        try (PreparedStatement p = writer.prepareStatement("SELECT seq, cls, size, created, expires FROM events WHERE member = ? ORDER BY seq")) {
            p.setString(1, member);
            return rows(p);
        }
    }

    /** The oldest rows of one class after the protected prefix, as (seq, cls, size, created, expires). */
    List<long[]> oldest(EventClass cls, long afterSeq, int limit) throws SQLException {
        try (PreparedStatement p = writer.prepareStatement(OLDEST)) {
            p.setInt(1, cls.ordinal());
            p.setLong(2, afterSeq);
            p.setInt(3, limit);
            return rows(p);
        }
    }

    private static List<long[]> rows(PreparedStatement p) throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
            }
        }
        return out;
    }

    /** Commits the writer's transaction; returns whether H2 wrote a chunk for it (nothing changed: nothing to sync). */
    boolean commit() throws SQLException {
        long version = pages.getCurrentVersion();
        writer.commit();
        return pages.getCurrentVersion() != version;
    }

    void rollback() {
        try {
            writer.rollback();
        } catch (SQLException ignored) {
            // The batch is failed either way; the next commit will tell if the store is gone.
        }
    }

    /** Forces committed data to the storage device. */
    void sync() throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute("CHECKPOINT SYNC");
        }
    }

    /** Reads committed rows in sequence order; called by the uplink's thread only. */
    List<OutboxRow> read(long afterSeq, int limit) throws SQLException {
        read.setLong(1, afterSeq);
        read.setInt(2, limit);
        List<OutboxRow> rows = new ArrayList<>(Math.min(limit, 256));
        EventClass[] classes = EventClass.values();
        try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
                rows.add(new OutboxRow(rs.getLong(1), classes[rs.getInt(2)], rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getBytes(9)));
            }
        }
        return rows;
    }

    long oldestCreated() throws SQLException {
        try (Statement s = reader.createStatement();
             ResultSet rs = s.executeQuery("SELECT created FROM events ORDER BY seq LIMIT 1")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    long fileBytes() {
        try {
            return Files.size(file());
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** Rewrites the file to its live size; the store is closed and must be reopened with {@link #open}. */
    void shutdownCompact() throws SQLException {
        reader.close();
        try (Statement s = writer.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        }
        writer.close();
    }

    @Override
    public void close() {
        for (Connection c : new Connection[] {reader, writer}) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // Closing on the way out; nothing more to do with a connection that will not close.
                }
            }
        }
    }
}
