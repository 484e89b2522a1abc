package io.storegw.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.testing.RecordingEmitter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Zone assignment with noisy RSSI: a member walks from the entrance to the checkout, stands at the
 * boundary between two zones, passes through quickly, and leaves. Receivers "door" (entrance zone),
 * "aisle" (aisles) and "till" (checkout); one advertisement a second per receiver that hears it.
 */
class ZoneTrackerTest {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final String ANNA = "member:m-anna";
    static final String COFFEE_BEACON = "ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/7/1";

    final RecordingEmitter out = new RecordingEmitter();
    final Random noise = new Random(7);
    ZoneTracker tracker = tracker(SavedState.NONE);
    /** How far the clock was set back: the test's seconds are read this much earlier. */
    Duration setBack = Duration.ZERO;

    static ZoneTracker tracker(SavedState saved) {
        return tracker(saved, ZoneTracker.Filter.MEDIAN);
    }

    static ZoneTracker tracker(SavedState saved, ZoneTracker.Filter filter) {
        return new ZoneTracker(new ZoneTracker.Settings(List.of(
                new ZoneTracker.Zone("entrance", Set.of("door"), Set.of()),
                new ZoneTracker.Zone("aisles", Set.of("aisle"), Set.of()),
                new ZoneTracker.Zone("checkout", Set.of("till"), Set.of()),
                new ZoneTracker.Zone("coffee", Set.of(), Set.of(COFFEE_BEACON))),
                Map.of("till", 4.0), Duration.ofSeconds(5), 6.0, 2, Duration.ofSeconds(30), Duration.ofSeconds(20),
                Duration.ofMinutes(3), 5, filter), new TimeBuckets(Duration.ofMinutes(15)), saved);
    }

    /** The member events (zones and visits), in order. */
    List<Object> events() {
        return out.emitted.stream().filter(e -> !e.type().equals(EventCatalogue.PRESENCE_ZONES)).map(e -> {
            assertThat(e.dataClass()).isEqualTo(DataClass.PSEUDONYMOUS);
            return e.data();
        }).toList();
    }

    /** From second {@code from} to {@code to}, one advertisement a second at each receiver, around the given mean RSSI (±4 dB, 1 in 10 a 20 dB dip). */
    void hear(String who, int from, int to, Object... receiverAndRssi) {
        for (int sec = from; sec < to; sec++) {
            Instant at = T0.plusSeconds(sec).minus(setBack);
            for (int i = 0; i < receiverAndRssi.length; i += 2) {
                int rssi = (int) receiverAndRssi[i + 1] + noise.nextInt(9) - 4 - (noise.nextInt(10) == 0 ? 20 : 0);
                tracker.onObservation(new BleSighting(at, (String) receiverAndRssi[i], who, rssi, -59), out);
            }
            tracker.onTick(at, out);
        }
    }

    void quiet(int from, int to) {
        for (int sec = from; sec < to; sec++) {
            tracker.onTick(T0.plusSeconds(sec).minus(setBack), out);
        }
    }

    @Test
    void aLayoutChangeEndsStaysInARemovedZoneAndTakesNewReceiversAtOnce() {
        hear(ANNA, 0, 60, "door", -55, "aisle", -80);
        assertThat(events()).hasSize(2); // visit started, entered the entrance
        // the entrance is dropped; a new receiver "kiosk" marks a new zone
        tracker.onInstruction(new io.storegw.gateway.layout.LayoutChange(1, new io.storegw.gateway.layout.Layout(List.of(
                new io.storegw.gateway.config.GatewayConfig.Zone("aisles", List.of("aisle"), List.of()),
                new io.storegw.gateway.config.GatewayConfig.Zone("kiosk", List.of("kiosk"), List.of())), Map.of(), List.of(), Map.of()),
                "entrance removed"), out);
        assertThat(events()).hasSize(3).last().isInstanceOfSatisfying(ZoneTracker.Exited.class, e -> {
            assertThat(e.zone()).isEqualTo("entrance");
            assertThat(e.exitedAt()).isEqualTo(T0.plusSeconds(59));
        });
        assertThat(out.saved).containsKey(ZoneTracker.SAVED_PREFIX + "m-anna");
        hear(ANNA, 60, 120, "door", -50, "kiosk", -56);
        assertThat(events()).last().isInstanceOfSatisfying(ZoneTracker.Entered.class, e -> assertThat(e.zone()).isEqualTo("kiosk"));
        assertThat(events().stream().filter(e -> e instanceof ZoneTracker.Entered en && en.zone().equals("entrance")).count())
                .as("the door receiver marks no zone any more").isEqualTo(1);
    }

    @Test
    void aVisitFromTheDoorToTheTillAndOut() {
        hear(ANNA, 0, 60, "door", -55, "aisle", -80);                 // a minute at the entrance
        hear(ANNA, 60, 240, "door", -82, "aisle", -58, "till", -85);   // three minutes in the aisles
        hear(ANNA, 240, 300, "aisle", -80, "till", -66);               // at the till: -66 + 4 offset
        quiet(300, 340);                                               // gone
        assertThat(events()).containsExactly(
                new ZoneTracker.VisitStarted("m-anna", visitId(), T0, "entrance"),
                new ZoneTracker.Entered("m-anna", "entrance", T0),
                new ZoneTracker.Exited("m-anna", "entrance", T0, T0.plusSeconds(60), 60),
                new ZoneTracker.Entered("m-anna", "aisles", T0.plusSeconds(60)),
                new ZoneTracker.Exited("m-anna", "aisles", T0.plusSeconds(60), T0.plusSeconds(240), 180),
                new ZoneTracker.Entered("m-anna", "checkout", T0.plusSeconds(240)),
                new ZoneTracker.Exited("m-anna", "checkout", T0.plusSeconds(240), T0.plusSeconds(299), 59));
        assertThat(out.saved).as("the open visit is kept with its events").containsKey("presence/visit/m-anna");
        quiet(340, 480);                                               // three minutes unheard: the visit is over
        assertThat(events()).last().isEqualTo(new ZoneTracker.VisitEnded("m-anna", visitId(), T0,
                T0.plusSeconds(299), 299, List.of(new ZoneTracker.ZoneDwell("entrance", 60),
                        new ZoneTracker.ZoneDwell("aisles", 180), new ZoneTracker.ZoneDwell("checkout", 59))));
        assertThat(out.saved).as("an ended visit is forgotten").isEmpty();
    }

    /**
     * The same walk with the clock set back an hour in the aisles (NTP correcting a clock that ran ahead): what
     * was kept moves back with it, so each stay lasts what it lasted and no event ends before it began (the
     * schemas' dwell minimum is 0). Without the move the aisles' stay came out at -3,361 s and the visit at
     * -3,301 s, and the checkout was never entered: no window closed until the clock had caught up an hour later.
     */
    @Test
    void aClockSetBackMovesWhatWasKeptBackWithIt() {
        Duration hour = Duration.ofHours(1);
        hear(ANNA, 0, 60, "door", -55, "aisle", -80);
        hear(ANNA, 60, 150, "door", -82, "aisle", -58, "till", -85);
        setBack = hour;
        tracker.onClockSetBack(T0.plusSeconds(149).minus(hour)); // right after the last tick, as the next one sees it
        hear(ANNA, 150, 240, "door", -82, "aisle", -58, "till", -85);
        hear(ANNA, 240, 300, "aisle", -80, "till", -66);
        quiet(300, 480);
        assertThat(events()).containsExactly(
                new ZoneTracker.VisitStarted("m-anna", visitId(), T0, "entrance"),
                new ZoneTracker.Entered("m-anna", "entrance", T0),
                new ZoneTracker.Exited("m-anna", "entrance", T0, T0.plusSeconds(60), 60),
                new ZoneTracker.Entered("m-anna", "aisles", T0.plusSeconds(60)),
                new ZoneTracker.Exited("m-anna", "aisles", T0.plusSeconds(60).minus(hour), T0.plusSeconds(240).minus(hour), 180),
                new ZoneTracker.Entered("m-anna", "checkout", T0.plusSeconds(240).minus(hour)),
                new ZoneTracker.Exited("m-anna", "checkout", T0.plusSeconds(240).minus(hour), T0.plusSeconds(299).minus(hour), 59),
                new ZoneTracker.VisitEnded("m-anna", visitId(), T0.minus(hour), T0.plusSeconds(299).minus(hour), 299,
                        List.of(new ZoneTracker.ZoneDwell("entrance", 60), new ZoneTracker.ZoneDwell("aisles", 180),
                                new ZoneTracker.ZoneDwell("checkout", 59))));
    }

    /** A sighting handled out of order (stamped on another thread, or before a step back) does not end a stay early. */
    @Test
    void aSightingHandledLateDoesNotMoveTheLastTimeHeardBack() {
        hear(ANNA, 0, 60, "door", -55, "aisle", -80);
        tracker.onObservation(new BleSighting(T0.minusSeconds(600), "aisle", ANNA, -80, -59), out);
        quiet(60, 61);
        assertThat(events()).hasSize(2).last().isInstanceOf(ZoneTracker.Entered.class);
        quiet(61, 100);
        assertThat(events()).last().isEqualTo(new ZoneTracker.Exited("m-anna", "entrance", T0, T0.plusSeconds(59), 59));
    }

    String visitId() {
        return ((ZoneTracker.VisitStarted) out.data(EventCatalogue.VISIT_STARTED).get(0)).visitId();
    }

    @Test
    void standingAtABoundaryDoesNotFlap() {
        hear(ANNA, 0, 300, "door", -65, "aisle", -66); // five minutes between two receivers, 1 dB apart
        assertThat(events()).hasSize(2).last().isInstanceOf(ZoneTracker.Entered.class);
    }

    @Test
    void aPasserbyAndAnonymousPhonesAreNotAnnounced() {
        hear(ANNA, 0, 12, "door", -60);            // in the door for 12 s, then gone
        quiet(12, 60);
        hear("anonymous", 0, 60, "door", -50);
        hear("anon:abcdefgh12345678", 0, 60, "door", -50);
        hear(ANNA, 100, 160, "elsewhere", -50);    // a receiver in no zone
        hear("ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/1/2", 0, 60, "door", -50); // a shelf beacon
        hear("staff:s-1", 0, 60, "door", -50);
        assertThat(events()).isEmpty();
    }

    @Test
    void theFilterDropsDipsAndSpikes() {
        assertThat(RssiFilter.median(List.of(-60, -61, -59, -85, -60))).isEqualTo(-60.0);
        assertThat(RssiFilter.median(List.of(-70, -40, -71))).isEqualTo(-70.5);
        assertThat(RssiFilter.median(List.of(-64))).isEqualTo(-64.0);
    }

    @Test
    void aRestartCarriesOnTheOpenVisit() throws Exception {
        hear(ANNA, 0, 60, "door", -55);
        hear(ANNA, 60, 130, "aisle", -58);
        assertThat(out.data(EventCatalogue.VISIT_STARTED)).hasSize(1);
        String id = visitId();
        // what the outbox kept, read back as a new process would: through JSON
        Map<String, byte[]> disk = new java.util.HashMap<>();
        for (var e : out.saved.entrySet()) {
            disk.put(e.getKey(), CloudEventEncoder.JSON.writeValueAsBytes(e.getValue()));
        }
        SavedState saved = new SavedState() {
            @Override
            public <T> List<T> load(String prefix, Class<T> type) {
                return disk.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(e -> {
                    try {
                        return CloudEventEncoder.JSON.readValue(e.getValue(), type);
                    } catch (java.io.IOException x) {
                        throw new IllegalStateException(x);
                    }
                }).toList();
            }
        };
        out.emitted.clear();
        tracker = tracker(saved);                        // the gateway restarts; 20 s later she is still in the aisle
        hear(ANNA, 150, 200, "aisle", -58);
        hear(ANNA, 200, 260, "till", -66);
        quiet(260, 500);
        assertThat(out.data(EventCatalogue.VISIT_STARTED)).as("no second visit").isEmpty();
        assertThat(out.data(EventCatalogue.PRESENCE_ZONE_ENTERED)).as("nor a second entry into the aisle")
                .containsExactly(new ZoneTracker.Entered("m-anna", "checkout", T0.plusSeconds(200)));
        ZoneTracker.VisitEnded ended = (ZoneTracker.VisitEnded) out.data(EventCatalogue.VISIT_ENDED).get(0);
        assertThat(ended.visitId()).isEqualTo(id);
        assertThat(ended.startedAt()).isEqualTo(T0);
        assertThat(ended.zones()).extracting(ZoneTracker.ZoneDwell::zone).containsExactly("entrance", "aisles", "checkout");
        assertThat(ended.zones().get(1).dwellSeconds()).as("the aisle stay spans the restart").isEqualTo(140);
    }

    @Test
    void aVisitLeftOpenByALongOutageEndsWhenTheMemberWasLastHeard() throws Exception {
        hear(ANNA, 0, 90, "door", -55);
        Object open = out.saved.get("presence/visit/m-anna");
        byte[] json = CloudEventEncoder.JSON.writeValueAsBytes(open);
        out.emitted.clear();
        tracker = tracker(new SavedState() {
            @Override
            public <T> List<T> load(String prefix, Class<T> type) {
                try {
                    return List.of(CloudEventEncoder.JSON.readValue(json, type));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        quiet(3600, 3601);                               // back an hour later; she is long gone
        assertThat(out.data()).hasSize(2);
        assertThat(out.data(EventCatalogue.PRESENCE_ZONE_EXITED)).singleElement()
                .extracting("exitedAt").isEqualTo(T0.plusSeconds(80)); // saved when the entry counted (20 s), then a minute later
        assertThat(out.data(EventCatalogue.VISIT_ENDED)).singleElement().extracting("endedAt").isEqualTo(T0.plusSeconds(80));
        assertThat(out.saved).isEmpty();
    }

    @Test
    void theAnonymousTierCountsZonesAndSuppressesSmallNumbers() {
        for (int phone = 0; phone < 6; phone++) {        // six phones a minute each at the door, in turn
            hear("anon:phone" + phone, phone * 60, phone * 60 + 60, "door", -55);
        }
        hear("anon:lonely", 0, 120, "till", -60);        // one phone at the till
        quiet(360, 15 * 60 + 1);                         // the bucket closes
        List<Object> counts = out.data(EventCatalogue.PRESENCE_ZONES);
        assertThat(counts).hasSize(1);
        ZoneOccupancy.Counts c = (ZoneOccupancy.Counts) counts.get(0);
        assertThat(c.bucketStart()).isEqualTo(T0);
        assertThat(c.zones()).containsExactly(
                new ZoneOccupancy.Zone("checkout", null, null, null, null, true),
                new ZoneOccupancy.Zone("entrance", 6, 6, 59L, 59L, false)); // from the first window to the last sighting
        assertThat(events()).as("anonymous phones make no member events").isEmpty();
    }

    @Test
    void aZoneMarkedByAFixedBeaconWinsForPhonesThatSoundLikeIt() {
        // the coffee beacon sits between the door and the aisle, nearer the aisle; no receiver of its own
        hear(COFFEE_BEACON, 0, 200, "door", -78, "aisle", -64);
        hear(ANNA, 0, 60, "door", -56, "aisle", -80);     // at the door
        hear(ANNA, 60, 140, "door", -77, "aisle", -63);   // at the coffee stand
        hear(ANNA, 140, 200, "door", -88, "aisle", -55);  // in the aisle, well past the stand
        assertThat(out.data(EventCatalogue.PRESENCE_ZONE_ENTERED)).extracting("zone").containsExactly("entrance", "coffee", "aisles");
    }

    @Test
    void signalsAreCalibratedByTheAdvertisersOwnPower() {
        hear(COFFEE_BEACON, 0, 100, "door", -78, "aisle", -64);
        // a phone 10 dB louder than the beacon, at the coffee stand: uncalibrated it would sound like it is at the aisle receiver
        for (int sec = 0; sec < 100; sec++) {
            Instant at = T0.plusSeconds(sec);
            tracker.onObservation(new BleSighting(at, "door", "member:m-loud", -68 + noise.nextInt(5) - 2, -49), out);
            tracker.onObservation(new BleSighting(at, "aisle", "member:m-loud", -54 + noise.nextInt(5) - 2, -49), out);
            tracker.onTick(at, out);
        }
        assertThat(out.data(EventCatalogue.PRESENCE_ZONE_ENTERED)).extracting("zone").containsExactly("coffee");
    }

    @Test
    void theKalmanFilterPlacesTheSameWalk() {
        tracker = tracker(SavedState.NONE, ZoneTracker.Filter.KALMAN);
        hear(ANNA, 0, 60, "door", -55, "aisle", -80);
        hear(ANNA, 60, 240, "door", -82, "aisle", -58, "till", -85);
        hear(ANNA, 240, 300, "aisle", -80, "till", -66);
        quiet(300, 340);
        List<Object> entered = out.data(EventCatalogue.PRESENCE_ZONE_ENTERED);
        assertThat(entered).extracting("zone").containsExactly("entrance", "aisles", "checkout");
        // it carries its estimate across windows, so it may take a window longer to let go of a zone
        assertThat(((ZoneTracker.Entered) entered.get(1)).enteredAt()).isBetween(T0.plusSeconds(60), T0.plusSeconds(70));
        assertThat(((ZoneTracker.Entered) entered.get(2)).enteredAt()).isBetween(T0.plusSeconds(240), T0.plusSeconds(250));
    }
}
