package io.storegw.drivers.virtual;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How a phone's advertisement reaches the receivers: log-distance path loss, shelving between zones,
 * Gaussian fading, body shadowing that comes and goes per phone and receiver, dropped advertisements,
 * and the receivers' sensitivity. Deterministic for a seed. Not thread-safe.
 */
public final class RadioModel {

    /**
     * @param txAt1mDbm          what a phone is heard at 1 m
     * @param phoneSpreadDb      phones differ: each gets a fixed offset, σ of this
     * @param pathLossExponent   2 in free space; 2-3 in a store
     * @param boundaryLossDb     per zone boundary (shelving, a wall) between phone and receiver
     * @param fadingDb           σ of the per-advertisement noise
     * @param shadowPerSecond    chance a clear link becomes shadowed in a second (a body turns, a phone goes in a pocket)
     * @param shadowMeanSeconds  how long shadowing lasts on average
     * @param shadowDb           how much a shadowed link loses
     * @param dropChance         a receiver misses an advertisement (busy radio, collisions)
     * @param sensitivityDbm     below this a receiver hears nothing
     */
    public record Settings(double txAt1mDbm, double phoneSpreadDb, double pathLossExponent, double boundaryLossDb,
                           double fadingDb, double shadowPerSecond, double shadowMeanSeconds, double shadowDb,
                           double dropChance, double sensitivityDbm) {

        /** A supermarket-like floor: figures in the range published for BLE RSSI indoors. */
        public static Settings store() {
            return new Settings(-59, 3, 2.3, 3, 4, 1.0 / 40, 15, 10, 0.15, -95);
        }
    }

    private final Settings settings;
    private final SplittableRandom random;
    private final Map<String, Double> phoneOffset = new HashMap<>();
    private final Map<String, Boolean> shadowed = new HashMap<>();

    public RadioModel(Settings settings, SplittableRandom random) {
        this.settings = settings;
        this.random = random;
    }

    /** Moves every link's shadowing on by one second; call once per simulated second. */
    public void nextSecond(Iterable<String> phones, Iterable<String> receivers) {
        for (String phone : phones) {
            for (String receiver : receivers) {
                String link = phone + '|' + receiver;
                boolean now = shadowed.getOrDefault(link, false);
                shadowed.put(link, now ? random.nextDouble() >= 1 / settings.shadowMeanSeconds()
                        : random.nextDouble() < settings.shadowPerSecond());
            }
        }
    }

    /** Forgets a phone that has left. */
    public void forget(String phone) {
        phoneOffset.remove(phone);
        shadowed.keySet().removeIf(link -> link.startsWith(phone + '|'));
    }

    /** The RSSI a receiver at {@code at} hears one advertisement of {@code phone} at {@code from} with, or null when it misses it. */
    public Integer hear(String phone, StoreFloor.Point from, String receiver, StoreFloor.Point at) {
        if (random.nextDouble() < settings.dropChance()) {
            return null;
        }
        double offset = phoneOffset.computeIfAbsent(phone, p -> random.nextGaussian() * settings.phoneSpreadDb());
        double floor = from.distanceTo(at);
        double height = StoreFloor.RECEIVER_HEIGHT_M - StoreFloor.PHONE_HEIGHT_M;
        double d = Math.max(0.5, Math.sqrt(floor * floor + height * height));
        double rssi = settings.txAt1mDbm() + offset - 10 * settings.pathLossExponent() * Math.log10(d)
                - settings.boundaryLossDb() * StoreFloor.boundariesBetween(from, at)
                + random.nextGaussian() * settings.fadingDb()
                - (shadowed.getOrDefault(phone + '|' + receiver, false) ? settings.shadowDb() : 0);
        return rssi < settings.sensitivityDbm() ? null : (int) Math.round(rssi);
    }
}
