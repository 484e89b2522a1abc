package io.storegw.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.testing.RecordingEmitter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZoneOccupancyTest {

    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    /** A day-long bucket of devices that stay long enough to be counted: what it keeps is bounded, and the next bucket starts afresh. */
    @Test
    void aBucketKeepsAtMostTheDeviceAndStayLimits() {
        ZoneOccupancy occupancy = new ZoneOccupancy(new TimeBuckets(Duration.ofDays(1)), 1);
        RecordingEmitter out = new RecordingEmitter();
        occupancy.onTick(T0, out, Map::of);
        for (int i = 0; i < PresenceCountsHandler.MAX_DEVICES + 10; i++) {
            occupancy.entered("anon:" + i, i % 2 == 0 ? "bakery" : "dairy");
        }
        occupancy.entered("anon:0", "bakery"); // counted already: no place taken
        for (int i = 0; i < ZoneOccupancy.MAX_STAYS + 10; i++) {
            occupancy.exited("bakery", 60 + i % 7);
        }
        occupancy.onTick(T0.plus(Duration.ofDays(1)), out, () -> Map.of("member:m1", "dairy"));
        occupancy.exited("dairy", 30);
        occupancy.onTick(T0.plus(Duration.ofDays(2)), out, Map::of);

        var days = out.data(EventCatalogue.PRESENCE_ZONES);
        assertThat(days).hasSize(2);
        assertThat(((ZoneOccupancy.Counts) days.get(0)).zones()).containsExactly(
                new ZoneOccupancy.Zone("bakery", PresenceCountsHandler.MAX_DEVICES / 2, ZoneOccupancy.MAX_STAYS, 63L, 66L, false),
                new ZoneOccupancy.Zone("dairy", PresenceCountsHandler.MAX_DEVICES / 2, 0, null, null, false));
        assertThat(((ZoneOccupancy.Counts) days.get(1)).zones()).containsExactly(new ZoneOccupancy.Zone("dairy", 1, 1, 30L, 30L, false));
    }
}
