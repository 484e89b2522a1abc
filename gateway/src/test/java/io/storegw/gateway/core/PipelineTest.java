package io.storegw.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.Event;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.pos.PosTransactionHandler;
import io.storegw.gateway.pos.TransactionCompleted;
import io.storegw.gateway.presence.PresenceCounts;
import io.storegw.gateway.presence.PresenceCountsHandler;
import io.storegw.gateway.privacy.KeyedHash;
import io.storegw.gateway.store.Footfall;
import io.storegw.gateway.store.FootfallHandler;
import io.storegw.gateway.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipelineTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00.500Z"));
    final TimeBuckets minute = new TimeBuckets(Duration.ofMinutes(1));

    private Pipeline pipeline(ObservationHandler... handlers) {
        return new Pipeline(List.of(handlers), new EventIds(clock), clock);
    }

    private DoorCrossing door(DoorCrossing.Direction d) {
        return new DoorCrossing(clock.instant(), "door-main", d);
    }

    @Test
    void footfallIsCountedPerBucketAndPublishedWhenTheBucketCloses() {
        Pipeline p = pipeline(new FootfallHandler(minute, true));
        assertThat(p.process(door(DoorCrossing.Direction.IN)).events()).isEmpty();
        p.process(door(DoorCrossing.Direction.IN));
        p.process(door(DoorCrossing.Direction.IN));
        p.process(door(DoorCrossing.Direction.OUT));
        assertThat(p.tick().events()).isEmpty();
        clock.advance(Duration.ofSeconds(60));
        List<Event> closed = p.tick().events();
        assertThat(closed).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventCatalogue.STORE_FOOTFALL);
            assertThat(e.data()).isEqualTo(new Footfall(Instant.parse("2026-11-23T10:00:00Z"),
                    Instant.parse("2026-11-23T10:01:00Z"), 3, 1, 2));
        });
        // Occupancy carries over; it never goes below zero when more leave than the counter saw enter.
        for (int i = 0; i < 5; i++) {
            p.process(door(DoorCrossing.Direction.OUT));
        }
        clock.advance(Duration.ofSeconds(60));
        assertThat(p.tick().events()).singleElement().extracting(Event::data)
                .isEqualTo(new Footfall(Instant.parse("2026-11-23T10:01:00Z"), Instant.parse("2026-11-23T10:02:00Z"), 0, 5, 0));
    }

    /** A gateway without a door counter (BLE and tills only) published "in 0, out 0" every minute: an empty store to central. */
    @Test
    void withoutADoorCounterNoFootfallIsPublished() {
        Pipeline p = pipeline(new FootfallHandler(minute, false));
        clock.advance(Duration.ofSeconds(60));
        assertThat(p.tick().events()).isEmpty();
        p.process(door(DoorCrossing.Direction.IN)); // a door counter the config did not name (a test's, a rig's): counted after all
        clock.advance(Duration.ofSeconds(60));
        assertThat(p.tick().events()).singleElement().extracting(Event::data)
                .isEqualTo(new Footfall(Instant.parse("2026-11-23T10:01:00Z"), Instant.parse("2026-11-23T10:02:00Z"), 1, 0, 1));
    }

    @Test
    void presenceCountsAreDistinctDevicesAndSmallCountsAreSuppressed() {
        Pipeline p = pipeline(new PresenceCountsHandler(minute, 3));
        for (int device = 0; device < 4; device++) {
            for (int repeat = 0; repeat < 3; repeat++) {
                p.process(new BleSighting(clock.instant(), "rx-bakery", "ibeacon:x/0/" + device, -60, -59));
            }
        }
        p.process(new BleSighting(clock.instant(), "rx-dairy", "ibeacon:x/0/1", -70, -59));
        clock.advance(Duration.ofMinutes(1));
        PresenceCounts counts = (PresenceCounts) p.tick().events().get(0).data();
        assertThat(counts.k()).isEqualTo(3);
        assertThat(counts.receivers()).containsExactly(
                new PresenceCounts.Receiver("rx-bakery", 4, false),
                new PresenceCounts.Receiver("rx-dairy", null, true));
        clock.advance(Duration.ofMinutes(1));
        assertThat(p.tick().events()).as("an empty bucket says nothing").isEmpty();
    }

    /** Receivers made up on the store's broker: the bucket's event stays the size of a store, and central is told. */
    @Test
    void receiversPastTheLimitAreLeftOutOfTheCountsWithAnAlarmAtMostOnceAnHour() {
        Pipeline p = pipeline(new PresenceCountsHandler(minute, 1));
        int past = 50;
        for (int r = 0; r < PresenceCountsHandler.MAX_RECEIVERS + past; r++) {
            p.process(new BleSighting(clock.instant(), "espresense/room-" + r, "anon:a", -60, -59));
        }
        p.process(new BleSighting(clock.instant(), "espresense/room-7", "anon:b", -60, -59));
        clock.advance(Duration.ofMinutes(1));
        List<Event> closed = p.tick().events();
        assertThat(closed).extracting(e -> e.type().key()).containsExactly("presence.counts", "gateway.alarm");
        PresenceCounts counts = (PresenceCounts) closed.get(0).data();
        assertThat(counts.receivers()).hasSize(PresenceCountsHandler.MAX_RECEIVERS)
                .contains(new PresenceCounts.Receiver("espresense/room-7", 2, false), new PresenceCounts.Receiver("espresense/room-0", 1, false));
        io.storegw.gateway.outbox.Alarm alarm = (io.storegw.gateway.outbox.Alarm) closed.get(1).data();
        assertThat(alarm.kind()).isEqualTo("presence.receivers");
        assertThat(alarm.detail()).contains(past + " from the others were left out");
        assertThat(new CloudEventEncoder(new GatewayIdentity("acme", "s042", "gw1")).encode(closed.get(0), 1).length)
                .as("the bucket's event, at the limit, fits an outbox row many times over").isLessThan(200_000);
        for (int bucket = 1; bucket <= 61; bucket++) {
            for (int r = 0; r < PresenceCountsHandler.MAX_RECEIVERS + 1; r++) {
                p.process(new BleSighting(clock.instant(), "espresense/room-" + r, "anon:a", -60, -59));
            }
            clock.advance(Duration.ofMinutes(1));
            List<String> types = p.tick().events().stream().map(e -> e.type().key()).toList();
            assertThat(types).as("bucket %d", bucket).isEqualTo(bucket < 60 ? List.of("presence.counts")
                    : bucket == 60 ? List.of("presence.counts", "gateway.alarm") : List.of("presence.counts"));
        }
        clock.advance(Duration.ofHours(-3)); // NTP sets back a clock that ran ahead: the last alarm's time is in the future
        List<Event> atTheStep = p.tick().events();
        assertThat(atTheStep).extracting(e -> e.type().key()).as("bucket 61's, not held back for the step").contains("gateway.alarm");
        assertThat(((io.storegw.gateway.outbox.Alarm) atTheStep.get(atTheStep.size() - 1).data()).detail())
                .as("what was left out since the last alarm").contains(": 1 from the others");
    }

    /**
     * Beacon spam (random iBeacon ids, which no session limit bounds): the bucket keeps at most its limit of devices,
     * a device already counted at a receiver still counts there, the next bucket starts afresh, and central is told.
     */
    @Test
    void devicesPastTheLimitAreLeftOutOfTheCountsWithAnAlarm() {
        Pipeline p = pipeline(new PresenceCountsHandler(minute, 1));
        int perReceiver = PresenceCountsHandler.MAX_DEVICES / 2;
        for (int d = 0; d < perReceiver + 100; d++) {
            String spam = "ibeacon:" + new java.util.UUID(7, d) + "/1/1";
            p.process(new BleSighting(clock.instant(), "rx-front", spam, -60, -59));
            p.process(new BleSighting(clock.instant(), "rx-back", spam, -60, -59));
        }
        p.process(new BleSighting(clock.instant(), "rx-front", "ibeacon:" + new java.util.UUID(7, 0) + "/1/1", -60, -59));
        p.process(new BleSighting(clock.instant(), "rx-new", "member:m1", -60, -59));
        clock.advance(Duration.ofMinutes(1));
        List<Event> closed = p.tick().events();
        assertThat(closed).extracting(e -> e.type().key()).containsExactly("presence.counts", "gateway.alarm");
        assertThat(((PresenceCounts) closed.get(0).data()).receivers()).containsExactly(
                new PresenceCounts.Receiver("rx-back", perReceiver, false), new PresenceCounts.Receiver("rx-front", perReceiver, false));
        io.storegw.gateway.outbox.Alarm alarm = (io.storegw.gateway.outbox.Alarm) closed.get(1).data();
        assertThat(alarm.kind()).isEqualTo("presence.devices");
        assertThat(alarm.detail()).contains("201 sightings of others were left out");

        p.process(new BleSighting(clock.instant(), "rx-new", "member:m1", -60, -59));
        clock.advance(Duration.ofMinutes(1));
        closed = p.tick().events();
        assertThat(closed).extracting(e -> e.type().key()).as("nothing left out, nothing to say").containsExactly("presence.counts");
        assertThat(((PresenceCounts) closed.get(0).data()).receivers()).containsExactly(new PresenceCounts.Receiver("rx-new", 1, false));
    }

    @Test
    void aTransactionKeepsItsFiguresButNeverItsLoyaltyNumber() {
        KeyedHash hash = new KeyedHash(new byte[32]);
        Pipeline p = pipeline(new PosTransactionHandler("s042", hash, new io.storegw.gateway.members.MemberDirectory()));
        var sale = new PosTransaction(clock.instant(), null, null, "till-2", LocalDate.parse("2026-11-23"), 17L, null, PosTransaction.Kind.SALE,
                "EUR", PosTransaction.Totals.of(new BigDecimal("12.47")),
                List.of(new PosTransaction.Line("4006381333931", null, BigDecimal.ONE, new BigDecimal("12.47"))),
                List.of(), List.of(), Optional.of("9000000000000042"), "test");
        Event e = p.process(sale).events().get(0);
        assertThat(e.subject()).isEqualTo("till/till-2/2026-11-23/17");
        assertThat(e.dataClass()).isEqualTo(DataClass.PSEUDONYMOUS);
        TransactionCompleted data = (TransactionCompleted) e.data();
        assertThat(data.total()).isEqualByComparingTo("12.47");
        assertThat(data.loyaltyRef()).isEqualTo(hash.of("loyalty", "9000000000000042")).hasSize(22);
        String wire = new String(new CloudEventEncoder(new GatewayIdentity("acme", "s042", "gw1")).encode(e, 1), StandardCharsets.UTF_8);
        assertThat(wire).doesNotContain("9000000000000042").contains("\"total\":\"12.47\"");

        Event anonymous = p.process(new PosTransaction(clock.instant(), null, null, "till-1", LocalDate.parse("2026-11-23"), 18L, null,
                PosTransaction.Kind.SALE, "EUR", PosTransaction.Totals.of(BigDecimal.TEN), List.of(), List.of(), List.of(),
                Optional.empty(), "test")).events().get(0);
        assertThat(anonymous.dataClass()).isEqualTo(DataClass.ANONYMOUS);
        assertThat(((TransactionCompleted) anonymous.data()).loyaltyRef()).isNull();
    }

    @Test
    void occupancyPutsTheDoorCountersBesidePhonesHeardAndSuppressesSmallCounts() {
        FootfallHandler doors = new FootfallHandler(minute, true);
        Pipeline p = pipeline(new io.storegw.gateway.store.OccupancyHandler(minute, 2, doors), doors);
        p.process(new BleSighting(clock.instant(), "rx-a", "anon:x", -60, null));
        clock.advance(Duration.ofSeconds(60));
        assertThat(p.tick().events()).extracting(Event::data).containsExactly(new io.storegw.gateway.store.Occupancy(
                Instant.parse("2026-11-23T10:00:00Z"), Instant.parse("2026-11-23T10:01:00Z"), null, null, null, 2));
        for (int i = 0; i < 3; i++) {
            p.process(door(DoorCrossing.Direction.IN));
        }
        p.process(door(DoorCrossing.Direction.OUT));
        for (String who : List.of("member:a", "member:a", "anon:x", "anon:y", "staff:s", "ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/1/2")) {
            p.process(new BleSighting(clock.instant(), "rx-a", who, -60, null));
        }
        clock.advance(Duration.ofSeconds(60));
        assertThat(p.tick().events()).extracting(Event::data).contains(new io.storegw.gateway.store.Occupancy(
                Instant.parse("2026-11-23T10:01:00Z"), Instant.parse("2026-11-23T10:02:00Z"), 2L, 3, null, 2));
    }

    /** A day-long bucket of advertising spam: phones past the limit are not held, members among the first stay counted. */
    @Test
    void occupancyHoldsAtMostTheDeviceLimitOfPhonesABucket() {
        TimeBuckets day = new TimeBuckets(Duration.ofDays(1));
        Pipeline p = pipeline(new io.storegw.gateway.store.OccupancyHandler(day, 1, new FootfallHandler(day, true)));
        p.process(new BleSighting(clock.instant(), "rx-a", "member:a", -60, null));
        for (int i = 0; i < PresenceCountsHandler.MAX_DEVICES + 500; i++) {
            p.process(new BleSighting(clock.instant(), "rx-a", "anon:" + i, -60, null));
        }
        p.process(new BleSighting(clock.instant(), "rx-a", "member:a", -60, null));
        p.process(new BleSighting(clock.instant(), "rx-a", "member:b", -60, null));
        clock.advance(Duration.ofDays(1));
        var occupancy = (io.storegw.gateway.store.Occupancy) p.tick().events().get(0).data();
        assertThat(occupancy.phones()).isEqualTo(PresenceCountsHandler.MAX_DEVICES);
        assertThat(occupancy.members()).isEqualTo(1);
    }

    @Test
    void aHandlerSeesOnlyItsOwnKindsAndIdsKeepIncreasing() {
        Pipeline p = pipeline(new FootfallHandler(minute, true), new PresenceCountsHandler(minute, 1));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            p.process(door(DoorCrossing.Direction.IN));
            p.process(new BleSighting(clock.instant(), "rx-a", "d" + i, -50, null));
            clock.advance(Duration.ofSeconds(30));
            p.tick().events().forEach(e -> ids.add(e.id()));
        }
        assertThat(ids).hasSizeGreaterThan(90).isSorted().doesNotHaveDuplicates();
    }
}
