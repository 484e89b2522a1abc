package io.storegw.drivers.virtual;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.DoorCrossing;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Members walking through the virtual store with their phones advertising, second by second, with
 * the ground truth: where each one really is. Each visit goes entrance, two to four aisles, checkout,
 * and out through the entrance; in a zone a shopper strolls between random spots, and walks
 * between zones at walking pace. What the receivers hear comes from the {@link RadioModel}. The door
 * counts each shopper in and out; at the end of the checkout stay most pay, some with their loyalty
 * card ({@code card-} and their id), some without; some come with a click & collect order ready.
 * Deterministic for a seed; for benchmarks and tests of the presence engine and the journey.
 */
public final class PresenceScenario implements Iterator<PresenceScenario.Second> {

    /**
     * @param visits          how many visits in all
     * @param arrivalEvery    one visit starts this often on average
     * @param advertEvery     a phone advertises this often (1 s: an Android app; about 10 s: what BlueZ
     *                        over D-Bus may deliver per device, bluez/bluez#119)
     * @param minZoneStay     shortest time spent in a zone
     * @param maxZoneStay     longest
     * @param doorReceiver    one more receiver above the door, as a store wanting quick arrivals mounts one
     */
    public record Settings(long seed, int visits, Duration arrivalEvery, Duration advertEvery, Duration minZoneStay,
                           Duration maxZoneStay, RadioModel.Settings radio, boolean doorReceiver) {

        /** The default scenario of the presence benchmark. */
        public static Settings defaults(long seed, int visits, Duration advertEvery) {
            return new Settings(seed, visits, Duration.ofSeconds(30), advertEvery, Duration.ofSeconds(45), Duration.ofMinutes(4),
                    RadioModel.Settings.store(), false);
        }

        /** The same store with one more receiver above the door ({@link #DOOR_RECEIVER}, in the entrance zone). */
        public Settings withDoorReceiver() {
            return new Settings(seed, visits, arrivalEvery, advertEvery, minZoneStay, maxZoneStay, radio, true);
        }
    }

    /**
     * One simulated second: what was heard, and where everyone in the store really was.
     *
     * @param doorsAndTills door crossings and till transactions of this second
     * @param ordersReady   shoppers who walk in this second with a click & collect order ready (central
     *                      would have said so before)
     */
    public record Second(Instant at, List<BleSighting> heard, Map<String, String> truth, List<Observation> doorsAndTills,
                         List<String> ordersReady) {
    }

    /** The receiver above the door, when the scenario has one; it marks the entrance. */
    public static final String DOOR_RECEIVER = "rx-door";
    private static final StoreFloor.Point ABOVE_THE_DOOR = new StoreFloor.Point(5, 0.3);

    /** The door the virtual store's shoppers cross. */
    public static final String DOOR = "door-main";
    /** How a shopper's loyalty card number is made from their id: {@code card-} + id. */
    public static String cardOf(String shopper) {
        return "card-" + shopper;
    }

    /** Shares of shoppers who pay with their card, pay without it, and come with an order ready. */
    private static final double PAY_WITH_CARD = 0.6;
    private static final double PAY_WITHOUT_CARD = 0.25;
    private static final double WITH_ORDER = 0.2;

    private static final double WALK_M_PER_S = 1.0;
    private static final double STROLL_M_PER_S = 0.4;

    private final Settings settings;
    private final SplittableRandom random;
    /** Who pays how and who has an order: apart from the walks, so adding it changed no walk. */
    private final SplittableRandom shopping;
    private long till;
    private final RadioModel radio;
    private final Map<String, StoreFloor.Point> receivers = new HashMap<>();
    private final List<Shopper> inStore = new ArrayList<>();
    private Instant now;
    private int started;
    private double nextArrival;

    public PresenceScenario(Settings settings, Instant start) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.radio = new RadioModel(settings.radio(), random.split());
        this.shopping = new SplittableRandom(settings.seed() * 31 + 17);
        StoreFloor.GRID.forEach(z -> receivers.put(VirtualStoreModel.receiverOf(z), StoreFloor.centreOf(z)));
        if (settings.doorReceiver()) {
            receivers.put(DOOR_RECEIVER, ABOVE_THE_DOOR);
        }
        this.now = start;
    }

    /** Receiver id to zone, as the presence config of this floor has it. */
    public static Map<String, String> zoneByReceiver() {
        Map<String, String> zones = new HashMap<>();
        StoreFloor.GRID.forEach(z -> zones.put(VirtualStoreModel.receiverOf(z), z));
        return zones;
    }

    @Override
    public boolean hasNext() {
        return started < settings.visits() || !inStore.isEmpty();
    }

    @Override
    public Second next() {
        double second = Duration.between(Instant.EPOCH, now).getSeconds();
        List<Observation> doorsAndTills = new ArrayList<>();
        List<String> ordersReady = new ArrayList<>();
        if (started < settings.visits() && second >= nextArrival) {
            Shopper s = new Shopper("member:v" + started++);
            inStore.add(s);
            doorsAndTills.add(new DoorCrossing(now, DOOR, DoorCrossing.Direction.IN));
            if (s.withOrder) {
                ordersReady.add(s.id);
            }
            nextArrival = second + -Math.log(1 - random.nextDouble()) * settings.arrivalEvery().toSeconds();
        }
        radio.nextSecond(inStore.stream().map(s -> s.id).toList(), receivers.keySet());
        List<BleSighting> heard = new ArrayList<>();
        Map<String, String> truth = new HashMap<>();
        for (Iterator<Shopper> it = inStore.iterator(); it.hasNext(); ) {
            Shopper s = it.next();
            boolean wasAtCheckout = s.atCheckout();
            if (!s.step()) {
                radio.forget(s.id);
                it.remove();
                doorsAndTills.add(new DoorCrossing(now, DOOR, DoorCrossing.Direction.OUT));
                continue;
            }
            if (wasAtCheckout && !s.atCheckout() && s.pays != Pays.NOTHING) {
                doorsAndTills.add(sale(s));
            }
            truth.put(s.id, StoreFloor.zoneAt(s.position));
            double interval = settings.advertEvery().toMillis() / 1000.0;
            // advertisements fall at the phone's own phase, with a little jitter as on air
            for (double t = Math.max(0, s.nextAdvert); t < 1; t += interval) {
                Instant at = now.plusMillis((long) (t * 1000));
                receivers.forEach((receiver, where) -> {
                    Integer rssi = radio.hear(s.id, s.position, receiver, where);
                    if (rssi != null) {
                        heard.add(new BleSighting(at, receiver, s.id, rssi, -59));
                    }
                });
                s.nextAdvert = t + interval * (0.9 + 0.2 * random.nextDouble());
            }
            s.nextAdvert -= 1;
        }
        heard.sort((a, b) -> a.at().compareTo(b.at()));
        Second out = new Second(now, heard, truth, doorsAndTills, ordersReady);
        now = now.plusSeconds(1);
        return out;
    }

    private enum Pays { WITH_CARD, WITHOUT_CARD, NOTHING }

    /** The shopper's purchase, at the till of the checkout zone, as the checkout stay ends. */
    private PosTransaction sale(Shopper s) {
        long number = ++till;
        BigDecimal total = BigDecimal.valueOf(100 + shopping.nextInt(9_900), 2);
        return new PosTransaction(now, now.minusSeconds(60), null, "till-1", LocalDate.ofInstant(now, ZoneOffset.UTC), number, null,
                PosTransaction.Kind.SALE, "EUR", PosTransaction.Totals.of(total),
                List.of(new PosTransaction.Line("4006381333931", null, BigDecimal.ONE, total)), List.of(), List.of(),
                s.pays == Pays.WITH_CARD ? Optional.of(cardOf(s.id.substring("member:".length()))) : Optional.empty(), "virtual");
    }

    /** One member on a walk: zones to visit, where they are, and where they are heading. */
    private final class Shopper {
        final String id;
        final Pays pays;
        final boolean withOrder;
        final List<String> path = new ArrayList<>();
        StoreFloor.Point position;
        StoreFloor.Point target;
        int zone;
        long secondsLeftInZone;
        double nextAdvert;
        boolean walkingBetweenZones;

        Shopper(String id) {
            this.id = id;
            double p = shopping.nextDouble();
            this.pays = p < PAY_WITH_CARD ? Pays.WITH_CARD : p < PAY_WITH_CARD + PAY_WITHOUT_CARD ? Pays.WITHOUT_CARD : Pays.NOTHING;
            this.withOrder = shopping.nextDouble() < WITH_ORDER;
            path.add("entrance");
            List<String> aisles = new ArrayList<>(List.of("produce", "bakery", "dairy", "electronics"));
            int n = 2 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                path.add(aisles.remove(random.nextInt(aisles.size())));
            }
            path.add("checkout");
            path.add("entrance");
            position = new StoreFloor.Point(2 + random.nextDouble() * 6, 0.01); // at the door
            target = StoreFloor.somewhereIn("entrance", random);
            secondsLeftInZone = stay();
            nextAdvert = random.nextDouble() * settings.advertEvery().toMillis() / 1000.0;
        }

        /** In the checkout zone's stay (not walking to or from it). */
        boolean atCheckout() {
            return !walkingBetweenZones && zone < path.size() && path.get(zone).equals("checkout");
        }

        /** One second on; false once out of the door. */
        boolean step() {
            if (walkingBetweenZones) {
                if (move(WALK_M_PER_S)) {
                    walkingBetweenZones = false;
                }
                return true;
            }
            if (--secondsLeftInZone <= 0) {
                zone++;
                if (zone >= path.size()) {
                    return false;
                }
                target = zone == path.size() - 1 ? new StoreFloor.Point(2 + random.nextDouble() * 6, 0.5) // the door
                        : StoreFloor.somewhereIn(path.get(zone), random);
                secondsLeftInZone = zone == path.size() - 1 ? 1 : stay();
                walkingBetweenZones = true;
                return true;
            }
            if (move(STROLL_M_PER_S)) {
                target = StoreFloor.somewhereIn(path.get(zone), random);
            }
            return true;
        }

        /** Moves towards the target; true on arrival. */
        private boolean move(double metres) {
            double d = position.distanceTo(target);
            if (d <= metres) {
                position = target;
                return true;
            }
            position = new StoreFloor.Point(position.x() + (target.x() - position.x()) * metres / d,
                    position.y() + (target.y() - position.y()) * metres / d);
            return false;
        }

        private long stay() {
            long min = settings.minZoneStay().toSeconds();
            return min + random.nextLong(settings.maxZoneStay().toSeconds() - min + 1);
        }
    }
}
