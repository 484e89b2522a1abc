package io.storegw.drivers.virtual;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A deterministic store: shoppers arrive, walk through zones, some pay at a till, and leave.
 *
 * <p>The same seed always yields the same observations in the same order; only the timestamps come
 * from the clock. Loyalty members carry the app, so only they are heard over BLE; everyone passes
 * the door counter. Not thread-safe: one pump owns a model.
 */
public final class VirtualStoreModel implements Iterator<Observation> {

    /** Zones a shopper may visit between the entrance and the tills, each with one receiver. */
    public static final List<String> ZONES = List.of("entrance", "produce", "bakery", "dairy", "electronics", "checkout");
    public static final String DOOR = "door-main";
    public static final List<String> TILLS = List.of("till-1", "till-2", "till-3");
    /** The UUID the loyalty app advertises under; major/minor identify the member's phone. */
    public static final String APP_UUID = "f7826da6-4fa2-4e98-8024-bc5b71e0893e";

    private static final double ARRIVAL_CHANCE_PER_TICK = 0.35;
    private static final double MEMBER_SHARE = 0.4;
    private static final double BUYER_SHARE = 0.7;
    private static final double CARD_SHOWN_SHARE = 0.8;
    private static final int MAX_SHOPPERS = 200;
    private static final String[] ITEMS = {"4006381333931", "5000112637922", "7622210449283", "8710398502025",
            "4008400402222", "3017620422003", "5449000000996", "8000500310427", "4311501420585", "9002490100070"};
    private static final BigDecimal[] PRICES = {price("1.29"), price("2.49"), price("0.99"), price("3.79"),
            price("1.99"), price("4.59"), price("1.19"), price("2.89"), price("0.59"), price("12.99")};

    private static final java.util.Map<String, String> RECEIVERS = ZONES.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(z -> z, VirtualStoreModel::receiverOf));

    private final SplittableRandom random;
    private final Clock clock;
    private final ArrayDeque<Observation> pending = new ArrayDeque<>();
    private final List<Shopper> inStore = new ArrayList<>();
    private final long[] tillSequence = new long[TILLS.size()];
    /**
     * The store id the virtual tills write: one per run, because a restarted model numbers its
     * transactions from 1 again, and the gateway would rightly take those for re-sends of the last run's.
     */
    private final String tillStoreId;
    private int nextShopper;

    public VirtualStoreModel(long seed, Clock clock) {
        this.random = new SplittableRandom(seed);
        this.clock = clock;
        this.tillStoreId = "virtual-" + clock.millis();
    }

    /** The receiver that listens in a zone. */
    public static String receiverOf(String zone) {
        return "rx-" + zone;
    }

    /** Always true: the store never closes. */
    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public Observation next() {
        while (pending.isEmpty()) {
            tick();
        }
        return pending.poll();
    }

    private void tick() {
        if (inStore.size() < MAX_SHOPPERS && random.nextDouble() < ARRIVAL_CHANCE_PER_TICK) {
            arrive();
        }
        for (Iterator<Shopper> it = inStore.iterator(); it.hasNext(); ) {
            Shopper shopper = it.next();
            if (shopper.step()) {
                leave(shopper);
                it.remove();
            }
        }
    }

    private void arrive() {
        int id = nextShopper++;
        boolean member = random.nextDouble() < MEMBER_SHARE;
        List<String> path = new ArrayList<>();
        path.add("entrance");
        List<String> aisles = new ArrayList<>(ZONES.subList(1, ZONES.size() - 1));
        int visits = 1 + random.nextInt(aisles.size());
        for (int i = 0; i < visits; i++) {
            path.add(aisles.remove(random.nextInt(aisles.size())));
        }
        boolean buys = random.nextDouble() < BUYER_SHARE;
        if (buys) {
            path.add("checkout");
        }
        inStore.add(new Shopper(id, member, buys, path));
        pending.add(new DoorCrossing(clock.instant(), DOOR, DoorCrossing.Direction.IN));
    }

    private void leave(Shopper shopper) {
        if (shopper.buys) {
            pending.add(transaction(shopper));
        }
        pending.add(new DoorCrossing(clock.instant(), DOOR, DoorCrossing.Direction.OUT));
    }

    private PosTransaction transaction(Shopper shopper) {
        int till = random.nextInt(TILLS.size());
        List<PosTransaction.Line> lines = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO.setScale(2, RoundingMode.UNNECESSARY);
        int count = 1 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            int item = random.nextInt(ITEMS.length);
            BigDecimal quantity = BigDecimal.valueOf(1 + random.nextInt(3));
            BigDecimal amount = PRICES[item].multiply(quantity);
            lines.add(new PosTransaction.Line(ITEMS[item], null, quantity, amount));
            total = total.add(amount);
        }
        Optional<String> card = shopper.member && random.nextDouble() < CARD_SHOWN_SHARE
                ? Optional.of(loyaltyNumber(shopper.id)) : Optional.empty();
        return new PosTransaction(clock.instant(), null, tillStoreId, TILLS.get(till), LocalDate.now(clock), ++tillSequence[till], null,
                PosTransaction.Kind.SALE, "EUR", PosTransaction.Totals.of(total), lines,
                List.of(new PosTransaction.Tender(card.isPresent() ? "card" : "cash", total)), List.of(), card, "virtual");
    }

    /** The card number the virtual store gives a member, so tests can match ground truth. */
    public static String loyaltyNumber(int shopperId) {
        return String.format("9%015d", shopperId);
    }

    private static BigDecimal price(String value) {
        return new BigDecimal(value);
    }

    /** One person in the store: a walk through zones with a few seconds in each. */
    private final class Shopper {
        final int id;
        final boolean member;
        final boolean buys;
        final List<String> path;
        final String advertiser;
        int zone;
        int ticksLeftInZone;

        Shopper(int id, boolean member, boolean buys, List<String> path) {
            this.id = id;
            this.member = member;
            this.buys = buys;
            this.path = path;
            this.advertiser = "ibeacon:" + APP_UUID + "/" + (id >>> 16 & 0xFFFF) + "/" + (id & 0xFFFF);
            this.ticksLeftInZone = dwell();
        }

        /** Advances one tick; true when the shopper walks out. */
        boolean step() {
            if (member) {
                String here = path.get(zone);
                // Heard loudly in its own zone and, now and then, faintly in the next one.
                pending.add(sighting(here, -55 - random.nextInt(20)));
                if (zone + 1 < path.size() && random.nextInt(4) == 0) {
                    pending.add(sighting(path.get(zone + 1), -80 - random.nextInt(15)));
                }
            }
            if (--ticksLeftInZone > 0) {
                return false;
            }
            zone++;
            ticksLeftInZone = dwell();
            return zone >= path.size();
        }

        private BleSighting sighting(String zoneName, int rssi) {
            return new BleSighting(clock.instant(), RECEIVERS.get(zoneName), advertiser, rssi, -59);
        }

        private int dwell() {
            return 2 + random.nextInt(8);
        }
    }
}
