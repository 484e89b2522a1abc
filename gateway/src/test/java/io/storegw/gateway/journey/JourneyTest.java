package io.storegw.gateway.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.members.Member;
import io.storegw.gateway.members.MemberDirectory;
import io.storegw.gateway.members.MemberForgotten;
import io.storegw.gateway.presence.ZoneTracker;
import io.storegw.gateway.privacy.KeyedHash;
import io.storegw.gateway.testing.RecordingEmitter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Purchases tied to visits and click & collect arrivals, on the real zone tracker: members walk in at
 * the door, shop in the aisle, pay at the till with and without their card, and collect orders.
 * Receivers: "door" (entrance), "aisle" (aisles), "till" (checkout), "desk" (pickup).
 */
class JourneyTest {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final KeyedHash CARDS = new KeyedHash(new byte[32]);

    final RecordingEmitter out = new RecordingEmitter();
    final MemberDirectory members = new MemberDirectory();
    final List<PickupDesk.PickupArrived> alerts = new ArrayList<>();
    final ZoneTracker tracker = new ZoneTracker(new ZoneTracker.Settings(List.of(
            new ZoneTracker.Zone("entrance", Set.of("door"), Set.of()),
            new ZoneTracker.Zone("aisles", Set.of("aisle"), Set.of()),
            new ZoneTracker.Zone("checkout", Set.of("till"), Set.of()),
            new ZoneTracker.Zone("pickup", Set.of("desk"), Set.of())),
            Map.of(), Duration.ofSeconds(5), 6.0, 2, Duration.ofSeconds(30), Duration.ofSeconds(20),
            Duration.ofMinutes(3), 5, ZoneTracker.Filter.MEDIAN), new TimeBuckets(Duration.ofMinutes(15)), SavedState.NONE);
    final JourneyAttribution journeys = new JourneyAttribution(tracker, CARDS, members, Duration.ofMinutes(60));
    PickupDesk desk = desk(SavedState.NONE);
    /** How far the clock was set back: the test's seconds are read this much earlier. */
    Duration setBack = Duration.ZERO;
    List<ObservationHandler> pipeline = List.of(tracker, journeys, desk);

    JourneyTest() {
        members.publish(List.of(new Member("m-anna", "c-1", null, null, List.of(CARDS.loyalty("4000001"))),
                new Member("m-ben", "c-2", null, null, List.of(CARDS.loyalty("4000002")))));
    }

    PickupDesk desk(SavedState saved) {
        return new PickupDesk(tracker, CARDS, members, Set.of("pickup", "entrance"), 10, Duration.ofMinutes(10), alerts::add, saved);
    }

    void feed(Observation o) {
        pipeline.forEach(h -> h.onObservation(o, out));
    }

    /** One advertisement a second from {@code from} to {@code to} (seconds after T0), at one receiver. */
    void hear(String member, String receiver, int rssi, int from, int to) {
        for (int sec = from; sec < to; sec++) {
            Instant at = T0.plusSeconds(sec).minus(setBack);
            feed(new BleSighting(at, receiver, "member:" + member, rssi, -59));
            pipeline.forEach(h -> h.onTick(at, out));
        }
    }

    void quiet(int from, int to) {
        for (int sec = from; sec < to; sec++) {
            Instant at = T0.plusSeconds(sec).minus(setBack);
            pipeline.forEach(h -> h.onTick(at, out));
        }
    }

    static PosTransaction sale(int atSecond, long number, String card) {
        return new PosTransaction(T0.plusSeconds(atSecond), null, null, "till-1", LocalDate.parse("2026-11-23"), number, null,
                PosTransaction.Kind.SALE, "EUR", PosTransaction.Totals.of(new BigDecimal("23.90")), List.of(), List.of(), List.of(),
                Optional.ofNullable(card), "test");
    }

    List<JourneyAttribution.JourneyAttributed> attributed() {
        return out.data(EventCatalogue.JOURNEY_ATTRIBUTED).stream().map(JourneyAttribution.JourneyAttributed.class::cast).toList();
    }

    @Test
    void aMembersPurchaseDuringTheirVisitIsTiedToItWithTheZonesAndTimes() {
        hear("m-anna", "door", -55, 0, 40);
        hear("m-anna", "aisle", -55, 40, 160);
        hear("m-anna", "till", -55, 160, 200);
        feed(sale(190, 1, "4000001"));

        assertThat(attributed()).singleElement().satisfies(j -> {
            assertThat(j.member()).isEqualTo("m-anna");
            assertThat(j.visitOpen()).isTrue();
            assertThat(j.checkoutAt()).isEqualTo(T0.plusSeconds(190));
            assertThat(j.transaction()).isEqualTo("till/till-1/2026-11-23/1");
            assertThat(j.zones()).extracting(ZoneTracker.ZoneDwell::zone).containsExactly("entrance", "aisles", "checkout");
            // the tracker places her with a few seconds' lag: entry and dwell within a window of the truth
            assertThat(Duration.between(T0, j.enteredAt()).toSeconds()).isBetween(0L, 10L);
            assertThat(j.entryToCheckoutSeconds()).isBetween(180L, 190L);
            assertThat(j.zones().get(1).dwellSeconds()).isBetween(110L, 130L);
        });
        assertThat(out.emitted).filteredOn(e -> e.type().equals(EventCatalogue.JOURNEY_ATTRIBUTED))
                .allSatisfy(e -> assertThat(e.member()).isEqualTo("m-anna"));
    }

    @Test
    void aPurchaseAfterTheVisitCountsWithinTheWindowOnlyAndNobodyIsGuessed() {
        hear("m-anna", "door", -55, 0, 60);
        quiet(60, 300); // visit ends 3 minutes after last heard
        feed(sale(600, 1, "4000001")); // 9 minutes after she left: within 60 minutes
        feed(sale(60 + 3600 + 120, 2, "4000001")); // more than an hour after
        feed(sale(610, 3, null)); // no card: never attributed, though Anna was the only one there
        feed(sale(620, 4, "4000002")); // Ben's card, but Ben was never seen
        feed(sale(630, 5, "9999999")); // nobody's card
        assertThat(attributed()).singleElement().satisfies(j -> {
            assertThat(j.transaction()).endsWith("/1");
            assertThat(j.visitOpen()).isFalse();
        });
    }

    @Test
    void aReadyOrderIsRaisedAtOnceNearTheDeskOnceAndCollectedByTheNextPurchase() {
        PickupDesk.Pickup order = new PickupDesk.Pickup("order-1", "m-anna", true);
        desk.onInstruction(new PickupChange.Upsert(order), out);
        desk.onInstruction(new PickupChange.Upsert(new PickupDesk.Pickup("order-2", "m-ben", false)), out);
        assertThat(out.saved).containsEntry("pickup/order-1", order);

        hear("m-ben", "desk", -55, 0, 30); // Ben's order is not ready yet
        hear("m-anna", "aisle", -80, 0, 5); // far off in the aisles: nothing
        assertThat(alerts).isEmpty();
        hear("m-anna", "desk", -62, 5, 8); // first advertisement within 10 dB of her phone's 1 m power, at the desk
        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.at()).as("raised at the first advertisement at the desk").isEqualTo(T0.plusSeconds(5));
            assertThat(a.how()).isEqualTo("near");
            assertThat(a.zone()).isEqualTo("pickup");
        });
        hear("m-anna", "desk", -62, 8, 300);
        assertThat(alerts).as("once per 10 minutes").hasSize(1);
        assertThat(out.data(EventCatalogue.PICKUP_ARRIVED)).hasSize(1);

        feed(sale(320, 9, "4000001"));
        assertThat(out.data(EventCatalogue.PICKUP_COLLECTED)).singleElement()
                .isEqualTo(new PickupDesk.PickupCollected("order-1", "m-anna", T0.plusSeconds(320), "till/till-1/2026-11-23/9"));
        assertThat(out.saved).doesNotContainKey("pickup/order-1").containsKey("pickup/order-2");
        assertThat(desk.orders()).isEqualTo(1);
    }

    /** An arrival raised before NTP set back a clock that ran ahead holds the next one back 10 minutes, not the step too. */
    @Test
    void aClockSetBackDoesNotHoldBackTheNextArrival() {
        desk.onInstruction(new PickupChange.Upsert(new PickupDesk.Pickup("order-1", "m-anna", true)), out);
        hear("m-anna", "desk", -62, 0, 5);
        assertThat(alerts).hasSize(1);
        quiet(5, 300);
        setBack = Duration.ofHours(1);
        Instant now = T0.plusSeconds(299).minus(setBack);
        pipeline.forEach(h -> h.onClockSetBack(now));
        quiet(300, 960);
        hear("m-anna", "desk", -62, 960, 965);
        assertThat(alerts).as("back 11 minutes later on the new clock: raised again, not an hour later").hasSize(2);
    }

    @Test
    void ordersSurviveARestartAndAForgottenMembersOrdersGo() {
        desk.onInstruction(new PickupChange.Upsert(new PickupDesk.Pickup("order-1", "m-anna", true)), out);
        desk.onInstruction(new PickupChange.Upsert(new PickupDesk.Pickup("order-2", "m-ben", true)), out);
        SavedState saved = new SavedState() {
            @Override
            public <T> List<T> load(String prefix, Class<T> type) {
                return out.saved.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(e -> type.cast(e.getValue())).toList();
            }
        };
        PickupDesk restarted = desk(saved);
        assertThat(restarted.orders()).isEqualTo(2);
        restarted.onInstruction(new MemberForgotten("m-anna"), out);
        assertThat(restarted.orders()).isEqualTo(1);
        assertThat(out.saved).doesNotContainKey("pickup/order-1");
        restarted.onInstruction(new PickupChange.Remove("order-2"), out);
        assertThat(restarted.orders()).isZero();
    }
}
