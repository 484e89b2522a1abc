package io.storegw.drivers.virtual;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualStoreModelTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    private static List<Observation> take(long seed, int n) {
        VirtualStoreModel model = new VirtualStoreModel(seed, FIXED);
        List<Observation> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(model.next());
        }
        return out;
    }

    @Test
    void sameSeedGivesSameStore() {
        assertThat(take(7, 5_000)).isEqualTo(take(7, 5_000));
        assertThat(take(7, 5_000)).isNotEqualTo(take(8, 5_000));
    }

    @Test
    void producesEveryKindOfObservationWithConsistentContent() {
        List<Observation> stream = take(42, 20_000);
        long in = stream.stream().filter(o -> o instanceof DoorCrossing d && d.direction() == DoorCrossing.Direction.IN).count();
        long out = stream.stream().filter(o -> o instanceof DoorCrossing d && d.direction() == DoorCrossing.Direction.OUT).count();
        List<PosTransaction> sales = stream.stream().filter(PosTransaction.class::isInstance).map(PosTransaction.class::cast).toList();
        List<BleSighting> sightings = stream.stream().filter(BleSighting.class::isInstance).map(BleSighting.class::cast).toList();

        assertThat(in).isGreaterThan(100);
        // Nobody leaves who did not come in, and at most the shoppers still inside are missing.
        assertThat(out).isLessThanOrEqualTo(in).isGreaterThan(in - 200);
        assertThat(sales).isNotEmpty().allSatisfy(sale -> {
            BigDecimal sum = sale.lines().stream().map(PosTransaction.Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(sale.total()).isEqualByComparingTo(sum);
            assertThat(VirtualStoreModel.TILLS).contains(sale.workstationId());
        });
        assertThat(sales).anyMatch(s -> s.loyaltyNumber().isPresent()).anyMatch(s -> s.loyaltyNumber().isEmpty());
        assertThat(sightings).isNotEmpty().allSatisfy(s -> {
            assertThat(s.advertiser()).startsWith("ibeacon:" + VirtualStoreModel.APP_UUID + "/");
            assertThat(s.rssi()).isBetween(-100, -40);
            assertThat(s.receiverId()).startsWith("rx-");
        });
    }

    @Test
    void tillSequenceNumbersCountUpPerTill() {
        List<PosTransaction> sales = take(3, 30_000).stream()
                .filter(PosTransaction.class::isInstance).map(PosTransaction.class::cast).toList();
        for (String till : VirtualStoreModel.TILLS) {
            List<Long> numbers = sales.stream().filter(s -> s.workstationId().equals(till)).map(PosTransaction::sequenceNumber).toList();
            for (int i = 0; i < numbers.size(); i++) {
                assertThat(numbers.get(i)).isEqualTo(i + 1L);
            }
        }
    }
}
