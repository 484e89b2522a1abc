package io.storegw.gateway.members;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.storegw.gateway.privacy.KeyedHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The member table: an H2 file encrypted with AES under a key kept outside it, holding the members
 * central registered, the nonces of the commands taken (so none is taken twice, even across a
 * restart) and the revocations whose queued events are still to be purged. Each change and its
 * command's nonce commit together, and are synced before the command is answered.
 */
public final class MemberStore implements AutoCloseable {

    /** Why a change was not made. */
    public static final class Replayed extends Exception {
        Replayed(String nonce) {
            super("nonce " + nonce + " was used before");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SUFFIX = ".mv.db";

    private final String url;
    private final String password;
    private final Duration nonceLifetime;
    private Connection db;
    /** The last use did not finish: connect again before the next. */
    private boolean unfinished;

    private MemberStore(String url, String password, Connection db, Duration nonceLifetime) {
        this.url = url;
        this.password = password;
        this.db = db;
        this.nonceLifetime = nonceLifetime;
    }

    /**
     * Opens (or creates) the table at {@code base} ({@code .mv.db} is added) encrypted with the key in
     * {@code keyFile}; a missing key file is made, owner-only, with 32 random bytes.
     *
     * @param maxAge how far a command's issue time may be from the gateway's clock: nonces older than twice
     *               that before a new command are forgotten with it
     */
    public static MemberStore open(Path base, Path keyFile, Duration maxAge) throws IOException, SQLException {
        if (!Files.exists(keyFile)) {
            KeyedHash.loadOrCreate(keyFile); // the same owner-only, synced, atomic creation of 32 random bytes
        }
        byte[] key = Files.readAllBytes(keyFile);
        if (key.length < 16) {
            throw new IOException("the member key " + keyFile + " holds " + key.length + " bytes, expected at least 16");
        }
        Files.createDirectories(base.toAbsolutePath().getParent());
        // H2 takes "<file password> <user password>"; the file password is the AES key.
        String password = HexFormat.of().formatHex(key) + " storegw";
        String url = url(base);
        Connection db;
        try {
            db = connect(url, password);
        } catch (SQLException e) {
            if (e.getErrorCode() == 90049 || e.getErrorCode() == 28000) {
                throw new SQLException("the member table " + base + SUFFIX + " does not open with the key in " + keyFile
                        + " (was the key replaced?)", e.getSQLState(), e.getErrorCode(), e);
            }
            throw e;
        }
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS members(pseudonym VARCHAR(128) PRIMARY KEY, member VARBINARY(65536) NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS nonces(nonce VARCHAR(128) PRIMARY KEY, issued BIGINT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS revoked(pseudonym VARCHAR(128) PRIMARY KEY, at BIGINT NOT NULL)");
        }
        return new MemberStore(url, password, db, maxAge.multipliedBy(2));
    }

    /** The JDBC address of the table at {@code base}. */
    private static String url(Path base) {
        // MAX_COMPACT_TIME=0: H2's compaction on close lost committed rows (see OutboxStore). CACHE_SIZE (KB): the table is
        // read whole only at start, and H2's default cache of 16 MB held every member's row in the heap besides the radios' set.
        return "jdbc:h2:file:" + base.toAbsolutePath()
                + ";CIPHER=AES;WRITE_DELAY=0;FILE_LOCK=FS;DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=0;CACHE_SIZE=1024";
    }

    private static Connection connect(String url, String password) throws SQLException {
        Connection db = DriverManager.getConnection(url, "storegw", password);
        db.setAutoCommit(false);
        return db;
    }

    /**
     * Starts a use of the table. H2 closes its database for good when a write fails (a full disk), while this
     * connection still says it is open (measured): so after a use that did not finish, the next one connects
     * again; the file still holds the last commit. Without this, one command during a full disk left every later
     * one failing, consent revocations too, until a restart.
     */
    private void begin() throws SQLException {
        if (unfinished) {
            try {
                db.close();
            } catch (SQLException ignored) {
                // the old connection is the one that failed
            }
            db = connect(url, password);
        }
        unfinished = true;
    }

    /** Ends a use that went well. */
    private void end() {
        unfinished = false;
    }

    /** Every member, in pseudonym order. */
    public synchronized List<Member> members() throws SQLException, IOException {
        begin();
        List<Member> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT member FROM members ORDER BY pseudonym")) {
            while (rs.next()) {
                out.add(JSON.readValue(rs.getBytes(1), Member.class));
            }
        }
        end();
        return out;
    }

    /** Takes a command's nonce that changes nothing here (ping, a layout change), so it cannot be replayed. */
    public synchronized void take(String nonce, Instant issued) throws SQLException, Replayed {
        change(nonce, issued, () -> { });
    }

    /** Adds or replaces a member; a revocation of the same pseudonym is over (they consented again). */
    public synchronized void upsert(String nonce, Instant issued, Member member) throws SQLException, Replayed {
        change(nonce, issued, () -> {
            try (PreparedStatement p = db.prepareStatement("MERGE INTO members KEY(pseudonym) VALUES (?, ?)")) {
                p.setString(1, member.pseudonym());
                p.setBytes(2, JSON.writeValueAsBytes(member));
                p.executeUpdate();
            } catch (IOException e) {
                throw new SQLException("cannot encode member " + member.pseudonym(), e);
            }
            delete("revoked", member.pseudonym());
        });
    }

    /** Removes a member; their queued events stay (that is what consent revocation is for). */
    public synchronized boolean remove(String nonce, Instant issued, String pseudonym) throws SQLException, Replayed {
        boolean[] removed = new boolean[1];
        change(nonce, issued, () -> removed[0] = delete("members", pseudonym));
        return removed[0];
    }

    /** Removes a member and records that their queued events must go, until {@link #purged} says they went. */
    public synchronized void revoke(String nonce, Instant issued, String pseudonym, Instant at) throws SQLException, Replayed {
        change(nonce, issued, () -> {
            delete("members", pseudonym);
            try (PreparedStatement p = db.prepareStatement("MERGE INTO revoked KEY(pseudonym) VALUES (?, ?)")) {
                p.setString(1, pseudonym);
                p.setLong(2, at.toEpochMilli());
                p.executeUpdate();
            }
        });
    }

    /** Revocations whose events may still be queued: a crash came between the revocation and its purge. */
    public synchronized List<String> unpurged() throws SQLException {
        begin();
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT pseudonym FROM revoked ORDER BY at")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        end();
        return out;
    }

    /** The revoked member's queued events are gone. */
    public synchronized void purged(String pseudonym) throws SQLException {
        begin();
        delete("revoked", pseudonym);
        commit();
        end();
    }

    private interface Change {
        void apply() throws SQLException;
    }

    private void change(String nonce, Instant issued, Change change) throws SQLException, Replayed {
        begin();
        try {
            try (PreparedStatement p = db.prepareStatement("SELECT 1 FROM nonces WHERE nonce = ?")) {
                p.setString(1, nonce);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        throw new Replayed(nonce);
                    }
                }
            }
            // Nonces issued well before this one cannot come back unrefused (they are stale by then): forget
            // them in the same transaction, so the table stays small without a commit of its own.
            try (PreparedStatement p = db.prepareStatement("DELETE FROM nonces WHERE issued < ?")) {
                p.setLong(1, issued.minus(nonceLifetime).toEpochMilli());
                p.executeUpdate();
            }
            try (PreparedStatement p = db.prepareStatement("INSERT INTO nonces VALUES (?, ?)")) {
                p.setString(1, nonce);
                p.setLong(2, issued.toEpochMilli());
                p.executeUpdate();
            }
            change.apply();
            commit();
            end();
        } catch (SQLException | Replayed | RuntimeException e) {
            try {
                db.rollback();
                if (e instanceof Replayed) {
                    end(); // a refusal, not a failure
                }
            } catch (SQLException gone) {
                e.addSuppressed(gone);
            }
            throw e;
        }
    }

    private boolean delete(String table, String pseudonym) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM " + table + " WHERE pseudonym = ?")) {
            p.setString(1, pseudonym);
            return p.executeUpdate() > 0;
        }
    }

    private void commit() throws SQLException {
        db.commit();
        try (Statement s = db.createStatement()) {
            s.execute("CHECKPOINT SYNC"); // answered to central only once it is on the disk
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        db.close();
    }
}
