package io.storegw.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OpenBucketTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aBucketClosesOnceTimeReachesItsEndAndNotBefore() {
        OpenBucket bucket = new OpenBucket(new TimeBuckets(Duration.ofMinutes(1)));
        assertThat(bucket.closeIfPast(T0.plusSeconds(10))).as("the first observation opens a bucket").isNull();
        assertThat(bucket.closeIfPast(T0.plusMillis(59_999))).isNull();
        assertThat(bucket.closeIfPast(T0.plusSeconds(5))).as("late, counted in the open bucket").isNull();
        assertThat(bucket.closeIfPast(T0.plusSeconds(60))).isEqualTo(T0);
        assertThat(bucket.closeIfPast(T0.plusSeconds(90))).isNull();
        assertThat(bucket.closeIfPast(T0.plusSeconds(30))).as("before the open bucket").isNull();
        // a gap of several buckets closes the open one only, and opens the one now falls in
        assertThat(bucket.closeIfPast(T0.plusSeconds(250))).isEqualTo(T0.plusSeconds(60));
        assertThat(bucket.closeIfPast(T0.plusSeconds(299))).isNull();
        assertThat(bucket.closeIfPast(T0.plusSeconds(300))).isEqualTo(T0.plusSeconds(240));
        assertThat(bucket.endOf(T0)).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void aClockSetBackBeforeTheOpenBucketClosesItAtTheNextInstant() {
        OpenBucket bucket = new OpenBucket(new TimeBuckets(Duration.ofMinutes(1)));
        bucket.closeIfPast(T0.plusSeconds(10));
        bucket.clockSetBack(T0.plusSeconds(5));
        assertThat(bucket.closeIfPast(T0.plusSeconds(6))).as("set back within the open bucket: it closes at its end").isNull();
        Instant setBack = T0.minus(Duration.ofDays(3));
        assertThat(bucket.closeIfPast(setBack)).as("an instant before the bucket, not a set back: late").isNull();
        bucket.clockSetBack(setBack);
        assertThat(bucket.closeIfPast(setBack)).isEqualTo(T0);
        assertThat(bucket.closeIfPast(setBack.plusSeconds(30))).isNull();
        assertThat(bucket.closeIfPast(setBack.plusSeconds(60))).isEqualTo(setBack);
    }

    @Test
    void anInstantStampedBeforeTheSetBackAndHandledAfterDoesNotMoveTheBucketBack() {
        OpenBucket bucket = new OpenBucket(new TimeBuckets(Duration.ofMinutes(1)));
        bucket.closeIfPast(T0.plusSeconds(10));
        Instant setBack = T0.minus(Duration.ofMinutes(10));
        bucket.clockSetBack(setBack);
        assertThat(bucket.closeIfPast(setBack)).isEqualTo(T0);
        assertThat(bucket.closeIfPast(T0.plusSeconds(11))).as("a sighting from before the step").isNull();
        assertThat(bucket.closeIfPast(setBack.plusSeconds(60))).as("buckets go on from the new time").isEqualTo(setBack);
        for (int m = 2; m <= 10; m++) {
            assertThat(bucket.closeIfPast(setBack.plusSeconds(60L * m))).isEqualTo(setBack.plusSeconds(60L * (m - 1)));
        }
        assertThat(bucket.closeIfPast(T0.plusSeconds(60))).as("the clock has come round: instants there count again")
                .isEqualTo(T0);
    }
}
