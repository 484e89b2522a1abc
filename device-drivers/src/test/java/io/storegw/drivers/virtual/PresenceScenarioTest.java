package io.storegw.drivers.virtual;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BleSighting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PresenceScenarioTest {

    static final Instant T0 = Instant.parse("2026-11-23T08:00:00Z");

    @Test
    void theFloorHoldsTheVirtualStoresZones() {
        assertThat(new HashSet<>(StoreFloor.GRID)).isEqualTo(new HashSet<>(VirtualStoreModel.ZONES));
        for (String zone : StoreFloor.GRID) {
            assertThat(StoreFloor.zoneAt(StoreFloor.centreOf(zone))).isEqualTo(zone);
        }
        assertThat(StoreFloor.zoneAt(new StoreFloor.Point(-1, 3))).isNull();
    }

    @Test
    void theSignalFallsWithDistanceAndShelvingAndSometimesDoesNotArrive() {
        RadioModel radio = new RadioModel(RadioModel.Settings.store(), new SplittableRandom(1));
        StoreFloor.Point receiver = StoreFloor.centreOf("dairy");
        double near = mean(radio, receiver, new StoreFloor.Point(receiver.x() + 1, receiver.y()));
        double across = mean(radio, receiver, new StoreFloor.Point(receiver.x() + 4, receiver.y()));
        double nextZone = mean(radio, receiver, new StoreFloor.Point(receiver.x() + 6, receiver.y()));
        assertThat(near).isBetween(-70.0, -55.0);
        assertThat(across).isLessThan(near - 8);
        assertThat(nextZone).isLessThan(across - 5); // further, and through the shelving
        int heard = 0;
        for (int i = 0; i < 1000; i++) {
            heard += radio.hear("p", new StoreFloor.Point(receiver.x() + 1, receiver.y()), "rx", receiver) != null ? 1 : 0;
        }
        assertThat(heard).as("about 15% dropped").isBetween(800, 900);
    }

    private static double mean(RadioModel radio, StoreFloor.Point receiver, StoreFloor.Point phone) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < 2000; i++) {
            Integer rssi = radio.hear("p", phone, "rx", receiver);
            if (rssi != null) {
                sum += rssi;
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void visitsWalkFromTheEntranceThroughTheAislesToTheCheckoutAndAreHeardWhereTheyAre() {
        PresenceScenario scenario = new PresenceScenario(PresenceScenario.Settings.defaults(3, 10, Duration.ofSeconds(1)), T0);
        Map<String, List<String>> zones = new HashMap<>();
        Map<String, Integer> loudestRight = new HashMap<>();
        int seconds = 0;
        Set<String> members = new HashSet<>();
        while (scenario.hasNext()) {
            PresenceScenario.Second s = scenario.next();
            assertThat(s.at()).isEqualTo(T0.plusSeconds(seconds++));
            s.truth().forEach((who, zone) -> {
                members.add(who);
                List<String> path = zones.computeIfAbsent(who, w -> new ArrayList<>());
                if (path.isEmpty() || !path.get(path.size() - 1).equals(zone)) {
                    path.add(zone);
                }
            });
            Map<String, BleSighting> loudest = new HashMap<>();
            for (BleSighting h : s.heard()) {
                assertThat(h.at()).isBetween(s.at(), s.at().plusSeconds(1));
                loudest.merge(h.advertiser(), h, (a, b) -> b.rssi() > a.rssi() ? b : a);
            }
            loudest.forEach((who, h) -> {
                if (h.receiverId().equals(VirtualStoreModel.receiverOf(s.truth().get(who)))) {
                    loudestRight.merge("right", 1, Integer::sum);
                }
                loudestRight.merge("all", 1, Integer::sum);
            });
        }
        assertThat(members).hasSize(10);
        for (List<String> path : zones.values()) {
            assertThat(path.get(0)).isEqualTo("entrance");
            assertThat(path).contains("checkout");
            assertThat(path.get(path.size() - 1)).isEqualTo("entrance");
        }
        double share = (double) loudestRight.get("right") / loudestRight.get("all");
        assertThat(share).as("the loudest receiver is usually, not always, the right one").isBetween(0.6, 0.95);
    }
}
