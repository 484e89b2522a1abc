package io.storegw.gateway.outbox;

import static io.storegw.gateway.outbox.UnsentRowsTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentEventsTest {

    @Test
    void keepsTheNewestEventsWithinItsCountAndItsBytesAndSaysHowManyItSkipped() {
        RecentEvents recent = new RecentEvents(4, 1_000);
        for (long seq = 1; seq <= 6; seq++) {
            recent.add(row(seq, 100));
        }
        RecentEvents.Page page = recent.after(0, 100);
        assertThat(page.rows()).extracting(OutboxRow::seq).as("four by count").containsExactly(3L, 4L, 5L, 6L);
        assertThat(page.skipped()).isEqualTo(2);
        assertThat(page.next()).isEqualTo(6);

        recent.add(row(7, 901)); // over 1,000 bytes with any other: 3 to 6 give way, 7 stays
        page = recent.after(4, 100);
        assertThat(page.rows()).extracting(OutboxRow::seq).containsExactly(7L);
        assertThat(page.skipped()).as("5 and 6").isEqualTo(2);
        assertThat(recent.after(7, 100).rows()).isEmpty();
        assertThat(recent.after(7, 100).next()).isEqualTo(7);
    }

    @Test
    void aStoreReopenedFarAlongCountsWhatItCannotHoldAsSkipped() {
        RecentEvents recent = new RecentEvents(4, 1_000);
        recent.add(row(1_000_000, 10));
        RecentEvents.Page page = recent.after(999_990, 100);
        assertThat(page.rows()).extracting(OutboxRow::seq).containsExactly(1_000_000L);
        assertThat(page.skipped()).as("999,991 to 999,996: below the four it can hold").isEqualTo(6);
    }
}
