package io.storegw.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.event.EventClass;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class UnsentRowsTest {

    private static OutboxRow row(long seq) {
        return row(seq, 1);
    }

    static OutboxRow row(long seq, int bytes) {
        return new OutboxRow(seq, EventClass.NORMAL, "id-" + seq, "t", "s", "topic", 0, Long.MAX_VALUE, new byte[bytes]);
    }

    private static List<OutboxRow> rows(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(UnsentRowsTest::row).toList();
    }

    private static List<Long> seqs(List<OutboxRow> rows) {
        return rows.stream().map(OutboxRow::seq).toList();
    }

    @Test
    void readsWhatWasCommittedAfterTheCursorUpToTheLimit() {
        UnsentRows unsent = new UnsentRows(8, Long.MAX_VALUE, 1);
        unsent.committed(rows(1, 5), new long[0], 0);
        assertThat(seqs(unsent.after(0, 100, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(seqs(unsent.after(2, 2, Long.MAX_VALUE))).containsExactly(3L, 4L);
        assertThat(unsent.after(5, 100, Long.MAX_VALUE)).as("caught up: nothing yet, and no need to ask the store").isEmpty();
    }

    @Test
    void rowsDeletedByACommitAreGoneLikeInTheStore() {
        UnsentRows unsent = new UnsentRows(8, Long.MAX_VALUE, 1);
        unsent.committed(rows(1, 6), new long[0], 0);
        unsent.committed(rows(7, 7), new long[] {2, 5, 99}, 3); // acknowledged or shed; 99 was never here
        assertThat(seqs(unsent.after(0, 100, Long.MAX_VALUE))).containsExactly(1L, 3L, 4L, 6L, 7L);
        unsent.committed(rows(8, 9), new long[] {8}, 1); // over budget, a commit sheds a row it has just written
        assertThat(seqs(unsent.after(6, 100, Long.MAX_VALUE))).containsExactly(7L, 9L);
    }

    @Test
    void belowItsFloorItSendsTheReaderToTheStore() {
        UnsentRows unsent = new UnsentRows(4, Long.MAX_VALUE, 11); // a store reopened with rows up to 10 in it
        assertThat(unsent.after(3, 100, Long.MAX_VALUE)).as("rows 4..10 are only in the store").isNull();
        assertThat(unsent.after(10, 100, Long.MAX_VALUE)).isEmpty();
        unsent.committed(rows(11, 16), new long[0], 0); // 11 and 12 pushed out by 15 and 16
        assertThat(unsent.after(11, 100, Long.MAX_VALUE)).isNull();
        assertThat(seqs(unsent.after(12, 100, Long.MAX_VALUE))).containsExactly(13L, 14L, 15L, 16L);
    }

    @Test
    void largeRowsPushOlderOnesOutByTheirBytesAndTheReaderGoesToTheStore() {
        UnsentRows unsent = new UnsentRows(100, 3_000, 1);
        unsent.committed(List.of(row(1, 1_000), row(2, 1_000), row(3, 1_000)), new long[0], 0);
        assertThat(seqs(unsent.after(0, 100, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L);
        unsent.committed(List.of(row(4, 1_500)), new long[0], 0); // 4,500 bytes: 1 and 2 give way
        assertThat(unsent.after(0, 100, Long.MAX_VALUE)).as("1 and 2 are only in the store").isNull();
        assertThat(unsent.after(1, 100, Long.MAX_VALUE)).isNull();
        assertThat(seqs(unsent.after(2, 100, Long.MAX_VALUE))).containsExactly(3L, 4L);
        unsent.committed(List.of(row(5, 10_000)), new long[0], 0);
        assertThat(seqs(unsent.after(4, 100, Long.MAX_VALUE))).as("larger than the budget: held alone").containsExactly(5L);
        assertThat(unsent.after(3, 100, Long.MAX_VALUE)).isNull();
    }

    @Test
    void aDeletedRowGivesItsBytesBack() {
        UnsentRows unsent = new UnsentRows(100, 3_000, 1);
        unsent.committed(List.of(row(1, 1_000), row(2, 1_000), row(3, 1_000)), new long[0], 0);
        unsent.committed(List.of(row(4, 1_000)), new long[] {2}, 1); // 2 acknowledged in the same commit
        assertThat(unsent.after(0, 100, Long.MAX_VALUE)).as("over budget before the delete: 1 gave way").isNull();
        unsent.committed(List.of(row(5, 1_000)), new long[] {3}, 1);
        unsent.committed(List.of(row(6, 1_000)), new long[0], 0); // 4, 5, 6: 3,000 bytes, nothing more goes
        assertThat(seqs(unsent.after(3, 100, Long.MAX_VALUE))).containsExactly(4L, 5L, 6L);
    }

    @Test
    void aReadStopsOnceItHasTheBytesAskedForButAlwaysGetsARow() {
        UnsentRows unsent = new UnsentRows(100, Long.MAX_VALUE, 1);
        unsent.committed(LongStream.rangeClosed(1, 5).mapToObj(seq -> row(seq, 1_000)).toList(), new long[0], 0);
        assertThat(seqs(unsent.after(0, 100, 2_500))).as("the row that reaches the bytes is the last").containsExactly(1L, 2L, 3L);
        assertThat(seqs(unsent.after(0, 100, 1))).containsExactly(1L);
        assertThat(seqs(unsent.after(3, 1, Long.MAX_VALUE))).containsExactly(4L);
    }
}
