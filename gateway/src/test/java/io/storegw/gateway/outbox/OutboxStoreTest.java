package io.storegw.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.gateway.event.EventClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.LongDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox's file on its own: the layout of maps that the committer relies on, on a real file. */
class OutboxStoreTest {

    @TempDir
    Path dir;

    private static final EventClass[] CLASSES = EventClass.values();

    private static OutboxRow row(long seq, EventClass cls) {
        return new OutboxRow(seq, cls, "id-" + seq, "io.storegw.test.v1", "subject/" + seq, "storegw/v1/t/s/g/evt/test/x",
                1_000 + seq, 2_000 + seq, ("{\"n\":" + seq + ",\"é\":\"ü\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static List<Long> seqs(List<OutboxRow> rows) {
        return rows.stream().map(OutboxRow::seq).toList();
    }

    @Test
    void readsMergeTheClassesInSequenceOrderFromTheCursorUpToTheLimitAndTheCommittedBound() throws Exception {
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            for (long seq = 1; seq <= 30; seq++) {
                // uneven runs per class, so that the merge must switch maps at every step and not
                store.insert(row(seq, CLASSES[(int) (seq * seq % 7 % CLASSES.length)]), seq % 4 == 0 ? "m-" + seq % 3 : null);
            }
            store.commit();
            assertThat(seqs(store.read(0, 100, 30, Long.MAX_VALUE))).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 30).boxed().toList());
            assertThat(seqs(store.read(7, 5, 30, Long.MAX_VALUE))).containsExactly(8L, 9L, 10L, 11L, 12L);
            assertThat(seqs(store.read(20, 100, 24, Long.MAX_VALUE))).as("nothing above the bound").containsExactly(21L, 22L, 23L, 24L);
            assertThat(seqs(store.read(25, 100, Long.MAX_VALUE, Long.MAX_VALUE))).as("no bound: to the end of every map")
                    .containsExactly(26L, 27L, 28L, 29L, 30L);
            assertThat(store.delete(CLASSES[(int) (9L * 9 % 7 % CLASSES.length)], 9)).isTrue();
            assertThat(store.delete(CLASSES[(int) (9L * 9 % 7 % CLASSES.length)], 9)).as("already gone").isFalse();
            assertThat(seqs(store.read(7, 3, 30, Long.MAX_VALUE))).containsExactly(8L, 10L, 11L);
            OutboxRow back = store.read(11, 1, 30, Long.MAX_VALUE).get(0);
            assertThat(back).usingRecursiveComparison().isEqualTo(row(12, back.eventClass()));
            assertThat(back.payload()).isEqualTo(row(12, back.eventClass()).payload());
        }
    }

    @Test
    void theOldestOfAClassAndTheRowsAboutAMemberAreFoundWithTheirSizes() throws Exception {
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            for (long seq = 1; seq <= 12; seq++) {
                store.insert(row(seq, CLASSES[(int) (seq % 3)]), seq % 4 == 0 ? "m-1" : null);
            }
            List<long[]> oldest = store.oldest(CLASSES[1], 1, 2);
            assertThat(oldest).extracting(r -> r[0]).containsExactly(4L, 7L);
            assertThat(oldest.get(0)).containsExactly(4, 1, row(4, CLASSES[1]).payload().length, 1_004, 2_004);
            assertThat(store.about("m-1")).extracting(r -> r[0]).containsExactly(4L, 8L, 12L);
            assertThat(store.about("m-2")).isEmpty();
            long[][] totals = store.totals();
            assertThat(totals[0]).containsExactly(4, 4, 4);
        }
    }

    @Test
    void eventsReadFromTheFileComeBackWholeAfterScansAndARewriteOfTheirPage() throws Exception {
        Path base = dir.resolve("outbox");
        try (OutboxStore store = OutboxStore.open(base)) {
            for (long seq = 1; seq <= 300; seq++) {
                store.insert(row(seq, CLASSES[(int) (seq % 3)]), seq % 7 == 0 ? "m-" + seq % 2 : null);
            }
            store.commit();
        }
        long payloadBytes = 0;
        for (long seq = 1; seq <= 300; seq++) {
            payloadBytes += seq == 150 ? 0 : row(seq, CLASSES[(int) (seq % 3)]).payload().length;
        }
        try (OutboxStore store = OutboxStore.open(base)) {
            // Every page now comes from the file: the scans read the stored bytes, and the deletion writes the
            // page's other events back into its next version as they were read.
            assertThat(store.oldest(CLASSES[2], 100, 2)).containsExactly(
                    new long[] {101, 2, row(101, CLASSES[2]).payload().length, 1_101, 2_101},
                    new long[] {104, 2, row(104, CLASSES[2]).payload().length, 1_104, 2_104});
            assertThat(store.about("m-1")).extracting(r -> r[0]).containsExactly(7L, 21L, 35L, 49L, 63L, 77L, 91L, 105L, 119L,
                    133L, 147L, 161L, 175L, 189L, 203L, 217L, 231L, 245L, 259L, 273L, 287L);
            assertThat(store.delete(CLASSES[0], 150)).isTrue();
            store.commit();
        }
        try (OutboxStore store = OutboxStore.open(base)) {
            List<OutboxRow> back = store.read(0, 1_000, Long.MAX_VALUE, Long.MAX_VALUE);
            assertThat(seqs(back)).hasSize(299).doesNotContain(150L);
            for (OutboxRow r : back) {
                OutboxRow written = row(r.seq(), CLASSES[(int) (r.seq() % 3)]);
                assertThat(r).usingRecursiveComparison().ignoringFields("payload").isEqualTo(written);
                assertThat(r.payload()).isEqualTo(written.payload());
            }
            assertThat(store.about("m-0")).extracting(r -> r[0]).startsWith(14L, 28L, 42L).hasSize(21);
            long[][] totals = store.totals();
            assertThat(totals[0]).containsExactly(99, 100, 100);
            assertThat(totals[1][0] + totals[1][1] + totals[1][2]).isEqualTo(payloadBytes);
        }
    }

    @Test
    void totalsAreTheMapsCountsAndTheCommittedBytesWithoutReadingTheEvents() throws Exception {
        Path base = dir.resolve("outbox");
        try (OutboxStore store = OutboxStore.open(base)) {
            for (long seq = 1; seq <= 10; seq++) {
                store.insert(row(seq, CLASSES[(int) (seq % 3)]), null);
            }
            store.setBytes(new long[] {7, 8, 9}); // not the events' sizes: shows where the figures come from
            store.commit();
        }
        try (OutboxStore store = OutboxStore.open(base)) {
            long[][] totals = store.totals();
            assertThat(totals[0]).containsExactly(3, 4, 3);
            assertThat(totals[1]).containsExactly(7, 8, 9);
        }
    }

    @Test
    void keysAreForgottenOldestFirstAndARefusedKeyMayBeRememberedAgain() throws Exception {
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            assertThat(store.rememberKey("a", 100)).isTrue();
            assertThat(store.rememberKey("a", 150)).as("already there").isFalse();
            assertThat(store.rememberKey("b", 200)).isTrue();
            store.forgetKey("b"); // its append was refused
            assertThat(store.rememberKey("b", 300)).isTrue();
            assertThat(store.rememberKey("c", 250)).as("the clock was set back").isTrue();
            assertThat(store.rememberKey("d", 400)).isTrue();
            store.commit();
        }
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            assertThat(store.rememberKey("a", 500)).as("remembered across a restart").isFalse();
            // a (100) goes; the refused b's first place finds b remembered at 300 and stops there; c (250) waits behind it
            assertThat(store.forgetKeysBefore(260)).isEqualTo(1);
            assertThat(store.rememberKey("a", 500)).isTrue();
            assertThat(store.rememberKey("c", 500)).as("kept longer than its window, never shorter").isFalse();
            assertThat(store.forgetKeysBefore(350)).isEqualTo(2); // b and c
            assertThat(store.rememberKey("b", 600)).isTrue();
            assertThat(store.rememberKey("d", 600)).isFalse();
        }
    }

    @Test
    void keysWrittenAsStringsByAnEarlierBuildAreStillRememberedAndForgotten() throws Exception {
        // Until 2026-12 the keys' maps held Strings; the bytes on the file are the same.
        List<String> written = List.of("pos/s1/till-1/2026-12-01/9", "pos/s1/till-1/2026-12-01/10", "pos/Kasse-Ü/ß/1");
        try (MVStore file = new MVStore.Builder().fileName(dir.resolve("outbox") + OutboxStore.SUFFIX).open()) {
            MVMap<String, Long> keys = file.openMap("keys", new MVMap.Builder<String, Long>().keyType(Utf8Type.INSTANCE).valueType(LongDataType.INSTANCE));
            MVMap<Long, String> inOrder = file.openMap("keys.in_order",
                    new MVMap.Builder<Long, String>().keyType(LongDataType.INSTANCE).valueType(Utf8Type.INSTANCE));
            for (int i = 0; i < written.size(); i++) {
                keys.put(written.get(i), 100L + i);
                inOrder.put(i + 1L, written.get(i));
            }
            file.commit();
        }
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            for (String key : written) {
                assertThat(store.rememberKey(key, 500)).as(key).isFalse();
            }
            assertThat(store.rememberKey("pos/s1/till-1/2026-12-01/11", 500)).isTrue();
            assertThat(store.forgetKeysBefore(102)).as("the first two, oldest first").isEqualTo(2);
            assertThat(store.rememberKey(written.get(0), 600)).isTrue();
            assertThat(store.rememberKey(written.get(2), 600)).isFalse();
        }
    }

    @Test
    void uncommittedChangesNeverReachTheFileAndARollbackForgetsThem() throws Exception {
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            store.insert(row(1, EventClass.NORMAL), null);
            store.save("visit/a", new byte[] {1});
            store.setNextSeq(2);
            assertThat(store.commit()).isTrue();
            assertThat(store.commit()).as("nothing changed, nothing written").isFalse();
            store.insert(row(2, EventClass.NORMAL), null);
            store.delete(EventClass.NORMAL, 1);
            store.rollback();
            assertThat(seqs(store.read(0, 10, 10, Long.MAX_VALUE))).containsExactly(1L);
            store.insert(row(3, EventClass.BULK), null);
            store.save("visit/b", new byte[] {2});
            store.save("visits/c", new byte[] {3});
            store.setNextSeq(4);
            // not committed: closing forgets it, as a kill -9 would
        }
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            assertThat(seqs(store.read(0, 10, 10, Long.MAX_VALUE))).containsExactly(1L);
            assertThat(store.nextSeq()).isEqualTo(2);
            assertThat(store.saved("visit/")).containsExactly(new byte[] {1});
        }
    }

    @Test
    void savedStateIsFoundByPrefixInKeyOrder() throws Exception {
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            store.save("visit/b", new byte[] {2});
            store.save("visit/a", new byte[] {1});
            store.save("visits", new byte[] {9});
            store.save("zone/a", new byte[] {8});
            store.forget("visit/c");
            assertThat(store.saved("visit/")).containsExactly(new byte[] {1}, new byte[] {2});
            store.forget("visit/a");
            assertThat(store.saved("visit/")).containsExactly(new byte[] {2});
        }
    }

    @Test
    void aSecondOpenerIsToldTheFileIsLocked() throws Exception {
        try (OutboxStore store = OutboxStore.open(dir.resolve("outbox"))) {
            assertThatThrownBy(() -> OutboxStore.open(dir.resolve("outbox")))
                    .isInstanceOfSatisfying(MVStoreException.class, e -> assertThat(e.getErrorCode()).isEqualTo(DataUtils.ERROR_FILE_LOCKED));
        }
    }
}
