package io.storegw.gateway.beacons;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BeaconTelemetry;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.testing.RecordingEmitter;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BeaconFleetTest {

    static final Instant T0 = Instant.parse("2026-11-23T08:00:00Z");
    static final String SHELF = "eddystone-uid:00010203040506070809/0a0b0c0d0e0f";
    static final String DOOR = "ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/1/1";

    final RecordingEmitter out = new RecordingEmitter();
    final BeaconFleet fleet = new BeaconFleet(Set.of(SHELF, DOOR), Duration.ofMinutes(30), Duration.ofHours(1));

    BeaconTelemetry tlm(int minute, int batteryMv) {
        return new BeaconTelemetry(T0.plus(Duration.ofMinutes(minute)), "rx-1", SHELF, batteryMv, 21.5, 1000L + minute, 60L * minute);
    }

    @Test
    void healthIsReportedAtMostOncePerBeaconPerInterval() {
        fleet.onObservation(tlm(0, 3000), out);
        fleet.onObservation(tlm(10, 2990), out);   // a second receiver, another TLM: too soon
        fleet.onObservation(tlm(61, 2980), out);
        fleet.onObservation(new BeaconTelemetry(T0, "rx-2", "eddystone-uid:ffffffffffffffffffff/000000000001", null, null, 5, 9), out);
        assertThat(out.data(EventCatalogue.BEACON_HEALTH)).containsExactly(
                new BeaconFleet.Health(SHELF, "rx-1", T0, 3000, 21.5, 1000, 0),
                new BeaconFleet.Health(SHELF, "rx-1", T0.plus(Duration.ofMinutes(61)), 2980, 21.5, 1061, 3660),
                new BeaconFleet.Health("eddystone-uid:ffffffffffffffffffff/000000000001", "rx-2", T0, null, null, 5, 9));
    }

    @Test
    void aWatchedBeaconUnheardIsReportedOnceAndWatchedAfreshWhenHeardAgain() {
        fleet.onTick(T0, out);                                                        // the gateway starts
        fleet.onObservation(new BleSighting(T0.plusSeconds(60), "rx-1", SHELF, -70, -59), out);
        fleet.onTick(T0.plus(Duration.ofMinutes(30)), out);                          // the door beacon: never heard since the start
        fleet.onTick(T0.plus(Duration.ofMinutes(31)), out);                          // the shelf beacon: last heard at 08:01
        fleet.onTick(T0.plus(Duration.ofMinutes(50)), out);
        assertThat(out.data(EventCatalogue.BEACON_MISSING)).containsExactly(
                new BeaconFleet.Missing(DOOR, null, T0, 1800),
                new BeaconFleet.Missing(SHELF, T0.plusSeconds(60), T0, 1800));
        fleet.onObservation(new BleSighting(T0.plus(Duration.ofMinutes(55)), "rx-1", SHELF, -70, -59), out);
        fleet.onTick(T0.plus(Duration.ofMinutes(84)), out);
        assertThat(out.data(EventCatalogue.BEACON_MISSING)).hasSize(2);
        fleet.onTick(T0.plus(Duration.ofMinutes(85)), out);
        assertThat(out.data(EventCatalogue.BEACON_MISSING)).hasSize(3).last()
                .isEqualTo(new BeaconFleet.Missing(SHELF, T0.plus(Duration.ofMinutes(55)), T0, 1800));
    }

    /** NTP sets back a clock that ran an hour ahead: what was heard while it ran ahead counts as heard at the step. */
    @Test
    void aClockSetBackNeitherHidesAMissingBeaconNorHoldsBackItsHealth() {
        fleet.onTick(T0, out);
        fleet.onObservation(tlm(0, 3000), out);
        fleet.onObservation(new BleSighting(T0.plusSeconds(60), "rx-1", DOOR, -70, -59), out);
        Instant now = T0.plusSeconds(120).minus(Duration.ofHours(1));
        fleet.onClockSetBack(now);
        for (int minute = 1; minute <= 30; minute++) { // the door beacon goes on; the shelf's is silent
            Instant at = now.plus(Duration.ofMinutes(minute));
            fleet.onObservation(new BleSighting(at, "rx-1", DOOR, -70, -59), out);
            fleet.onTick(at, out);
        }
        assertThat(out.data(EventCatalogue.BEACON_MISSING)).as("30 minutes after the step, not 90")
                .containsExactly(new BeaconFleet.Missing(SHELF, now, now, 1800));
        fleet.onObservation(new BeaconTelemetry(now.plus(Duration.ofMinutes(61)), "rx-1", SHELF, 2990, 21.0, 2000L, 7200L), out);
        assertThat(out.data(EventCatalogue.BEACON_HEALTH)).as("an hour after the step, not two").hasSize(2);
    }
}
