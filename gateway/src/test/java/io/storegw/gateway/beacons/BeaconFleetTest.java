package io.storegw.gateway.beacons;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BeaconTelemetry;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutChange;
import io.storegw.gateway.testing.RecordingEmitter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

    /**
     * Eddystone spam (a random UID and a TLM from each random address): the beacons not watched are reported up to the
     * limit per healthEvery, the store's own always, their places come free after healthEvery, and central is told once an hour.
     */
    @Test
    void telemetryOfBeaconsNotWatchedIsBoundedAndTheStoresOwnIsAlwaysReported() {
        int past = 10;
        for (int b = 0; b < BeaconFleet.MAX_UNWATCHED + past; b++) {
            fleet.onObservation(new BeaconTelemetry(T0, "rx-1", spam(b), 3000, 20.0, 1, 1), out);
        }
        fleet.onObservation(tlm(0, 3000), out);
        fleet.onObservation(new BeaconTelemetry(T0, "rx-1", spam(0), 3000, 20.0, 1, 1), out); // already reported: too soon
        fleet.onTick(T0.plusSeconds(1), out);
        assertThat(out.data(EventCatalogue.BEACON_HEALTH)).hasSize(BeaconFleet.MAX_UNWATCHED + 1)
                .extracting(h -> ((BeaconFleet.Health) h).beacon()).contains(SHELF, spam(0), spam(BeaconFleet.MAX_UNWATCHED - 1))
                .doesNotContain(spam(BeaconFleet.MAX_UNWATCHED));
        assertThat(out.data(EventCatalogue.GATEWAY_ALARM)).singleElement()
                .satisfies(a -> assertThat(((io.storegw.gateway.outbox.Alarm) a).kind()).isEqualTo("beacons.unwatched"))
                .satisfies(a -> assertThat(((io.storegw.gateway.outbox.Alarm) a).detail()).contains(past + " TLMs of others"));

        Instant later = T0.plus(Duration.ofMinutes(30));
        fleet.onObservation(new BeaconTelemetry(later, "rx-1", spam(5_000), 3000, 20.0, 1, 1), out);
        fleet.onTick(later, out);
        assertThat(out.data(EventCatalogue.BEACON_HEALTH)).as("all places taken within the hour").hasSize(BeaconFleet.MAX_UNWATCHED + 1);
        assertThat(out.data(EventCatalogue.GATEWAY_ALARM)).as("said once an hour").hasSize(1);

        Instant hourOn = T0.plus(Duration.ofHours(1));
        fleet.onObservation(new BeaconTelemetry(hourOn, "rx-1", spam(5_001), 3000, 20.0, 1, 1), out);
        assertThat(out.data(EventCatalogue.BEACON_HEALTH)).as("the hour-old reports' places are free")
                .hasSize(BeaconFleet.MAX_UNWATCHED + 2).last().extracting(h -> ((BeaconFleet.Health) h).beacon()).isEqualTo(spam(5_001));
        fleet.onTick(hourOn, out);
        assertThat(out.data(EventCatalogue.GATEWAY_ALARM)).as("within the hour of the first").hasSize(1);
        fleet.onTick(hourOn.plusSeconds(1), out);
        assertThat(out.data(EventCatalogue.GATEWAY_ALARM)).as("the one left out at 08:30, an hour after the first alarm").hasSize(2)
                .last().satisfies(a -> assertThat(((io.storegw.gateway.outbox.Alarm) a).detail()).contains(": 1 TLMs of others"));
    }

    /** A beacon registered later keeps the time of its last report: registering it does not report it again at once. */
    @Test
    void aBeaconWatchedLaterKeepsItsLastReport() {
        String neighbour = spam(1);
        fleet.onObservation(new BeaconTelemetry(T0, "rx-1", neighbour, 3000, 20.0, 1, 1), out);
        fleet.onInstruction(new LayoutChange(1, new Layout(List.of(), Map.of(), List.of(SHELF, DOOR, neighbour), Map.of()),
                "beacon registered"), out);
        fleet.onObservation(new BeaconTelemetry(T0.plusSeconds(60), "rx-1", neighbour, 2990, 20.0, 2, 61), out);
        assertThat(out.data(EventCatalogue.BEACON_HEALTH)).hasSize(1);
    }

    static String spam(int n) {
        return String.format("eddystone-uid:%020x/%012x", n, n);
    }
}
