package io.storegw.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.event.EventClass;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class UnsentRowsTest {

    private static OutboxRow row(long seq) {
        return new OutboxRow(seq, EventClass.NORMAL, "id-" + seq, "t", "s", "topic", 0, Long.MAX_VALUE, new byte[] {1});
    }

    private static List<OutboxRow> rows(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(UnsentRowsTest::row).toList();
    }

    private static List<Long> seqs(List<OutboxRow> rows) {
        return rows.stream().map(OutboxRow::seq).toList();
    }

    @Test
    void readsWhatWasCommittedAfterTheCursorUpToTheLimit() {
        UnsentRows unsent = new UnsentRows(8, 1);
        unsent.committed(rows(1, 5), new long[0], 0);
        assertThat(seqs(unsent.after(0, 100))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(seqs(unsent.after(2, 2))).containsExactly(3L, 4L);
        assertThat(unsent.after(5, 100)).as("caught up: nothing yet, and no need to ask the store").isEmpty();
    }

    @Test
    void rowsDeletedByACommitAreGoneLikeInTheStore() {
        UnsentRows unsent = new UnsentRows(8, 1);
        unsent.committed(rows(1, 6), new long[0], 0);
        unsent.committed(rows(7, 7), new long[] {2, 5, 99}, 3); // acknowledged or shed; 99 was never here
        assertThat(seqs(unsent.after(0, 100))).containsExactly(1L, 3L, 4L, 6L, 7L);
        unsent.committed(rows(8, 9), new long[] {8}, 1); // over budget, a commit sheds a row it has just written
        assertThat(seqs(unsent.after(6, 100))).containsExactly(7L, 9L);
    }

    @Test
    void belowItsFloorItSendsTheReaderToTheStore() {
        UnsentRows unsent = new UnsentRows(4, 11); // a store reopened with rows up to 10 in it
        assertThat(unsent.after(3, 100)).as("rows 4..10 are only in the store").isNull();
        assertThat(unsent.after(10, 100)).isEmpty();
        unsent.committed(rows(11, 16), new long[0], 0); // 11 and 12 pushed out by 15 and 16
        assertThat(unsent.after(11, 100)).isNull();
        assertThat(seqs(unsent.after(12, 100))).containsExactly(13L, 14L, 15L, 16L);
    }
}
