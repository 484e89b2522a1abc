package io.storegw.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Zone assignment with noisy RSSI: a member walks from the entrance to the checkout, stands at the
 * boundary between two zones, passes through quickly, and leaves. Receivers "door" (entrance zone),
 * "aisle" (aisles) and "till" (checkout); one advertisement a second per receiver that hears it.
 */
class ZoneTrackerTest {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final String ANNA = "member:m-anna";

    final List<Object> events = new ArrayList<>();
    final Emitter out = (type, subject, dataClass, data) -> {
        assertThat(dataClass).isEqualTo(DataClass.PSEUDONYMOUS);
        assertThat(type).isIn(EventCatalogue.PRESENCE_ZONE_ENTERED, EventCatalogue.PRESENCE_ZONE_EXITED);
        events.add(data);
    };
    final Random noise = new Random(7);
    final ZoneTracker tracker = new ZoneTracker(new ZoneTracker.Settings(
            Map.of("door", "entrance", "aisle", "aisles", "till", "checkout"), Map.of("till", 4.0), Duration.ofSeconds(5),
            6.0, 2, Duration.ofSeconds(30), Duration.ofSeconds(20)));

    /** From second {@code from} to {@code to}, one advertisement a second at each receiver, around the given mean RSSI (±4 dB, 1 in 10 a 20 dB dip). */
    void hear(String who, int from, int to, Object... receiverAndRssi) {
        for (int sec = from; sec < to; sec++) {
            Instant at = T0.plusSeconds(sec);
            for (int i = 0; i < receiverAndRssi.length; i += 2) {
                int rssi = (int) receiverAndRssi[i + 1] + noise.nextInt(9) - 4 - (noise.nextInt(10) == 0 ? 20 : 0);
                tracker.onObservation(new BleSighting(at, (String) receiverAndRssi[i], who, rssi, -59), out);
            }
            tracker.onTick(at, out);
        }
    }

    void quiet(int from, int to) {
        for (int sec = from; sec < to; sec++) {
            tracker.onTick(T0.plusSeconds(sec), out);
        }
    }

    @Test
    void aVisitFromTheDoorToTheTillAndOut() {
        hear(ANNA, 0, 60, "door", -55, "aisle", -80);                 // a minute at the entrance
        hear(ANNA, 60, 240, "door", -82, "aisle", -58, "till", -85);   // three minutes in the aisles
        hear(ANNA, 240, 300, "aisle", -80, "till", -66);               // at the till: -66 + 4 offset
        quiet(300, 340);                                               // gone
        assertThat(events).containsExactly(
                new ZoneTracker.Entered("m-anna", "entrance", T0.plusSeconds(10)),
                new ZoneTracker.Exited("m-anna", "entrance", T0.plusSeconds(10), T0.plusSeconds(70), 60),
                new ZoneTracker.Entered("m-anna", "aisles", T0.plusSeconds(70)),
                new ZoneTracker.Exited("m-anna", "aisles", T0.plusSeconds(70), T0.plusSeconds(250), 180),
                new ZoneTracker.Entered("m-anna", "checkout", T0.plusSeconds(250)),
                new ZoneTracker.Exited("m-anna", "checkout", T0.plusSeconds(250), T0.plusSeconds(299), 49));
    }

    @Test
    void standingAtABoundaryDoesNotFlap() {
        hear(ANNA, 0, 300, "door", -65, "aisle", -66); // five minutes between two receivers, 1 dB apart
        assertThat(events).hasSize(1).first().isInstanceOf(ZoneTracker.Entered.class);
    }

    @Test
    void aPasserbyAndAnonymousPhonesAreNotAnnounced() {
        hear(ANNA, 0, 12, "door", -60);            // in the door for 12 s, then gone
        quiet(12, 60);
        hear("anonymous", 0, 60, "door", -50);
        hear("anon:abcdefgh12345678", 0, 60, "door", -50);
        hear(ANNA, 100, 160, "elsewhere", -50);    // a receiver in no zone
        assertThat(events).isEmpty();
    }

    @Test
    void theFilterDropsDipsAndSpikes() {
        assertThat(RssiFilter.of(List.of(-60, -61, -59, -85, -60))).isEqualTo(-60.0);
        assertThat(RssiFilter.of(List.of(-70, -40, -71))).isEqualTo(-70.5);
        assertThat(RssiFilter.of(List.of(-64))).isEqualTo(-64.0);
    }
}
