package io.storegw.drivers.ble.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session references for devices nobody may follow: a keyed hash of what tells one device from another
 * on air (its address, a node's fingerprint id), under a key made at random in memory for each store
 * day and never written anywhere. Within a day the same device has the same reference, so it is
 * counted once per bucket; the next day, or after a restart, nothing links it to what it was.
 *
 * <p>At most {@link #PER_MINUTE} devices are told apart in any one minute; the minute's others get no reference
 * and are all one, "anonymous". Whoever has a reference is held in memory downstream (a track per phone, a set per
 * receiver and bucket): BLE advertising spam of 300 new random addresses a second, heard by two receivers, took
 * 42 of the appliance's 64 MB heap within two minutes and 600 would have taken it all. A store at its busiest shows
 * a few hundred phones, watches and earbuds a minute.
 */
public final class SessionReferences {

    /** Devices told apart in one minute at most. */
    public static final int PER_MINUTE = 2_000;

    private final ZoneId storeZone;
    private final SecureRandom random;
    private final int perMinute;
    private final Runnable merged;
    private LocalDate day;
    private Mac mac;
    private long minute = Long.MIN_VALUE;
    private final Set<String> toldApart = new HashSet<>();

    public SessionReferences(ZoneId storeZone, SecureRandom random) {
        this(storeZone, random, PER_MINUTE, () -> { });
    }

    /** @param merged told of each sighting left without a reference because its minute had {@code perMinute} devices already */
    public SessionReferences(ZoneId storeZone, SecureRandom random, int perMinute, Runnable merged) {
        this.storeZone = storeZone;
        this.random = random;
        this.perMinute = perMinute;
        this.merged = merged;
    }

    /**
     * The reference of {@code device} on the store day of {@code at}, 16 base64url characters; null when {@code at}'s
     * minute has told {@value #PER_MINUTE} (or the limit given) other devices apart already.
     */
    public synchronized String of(String device, Instant at) {
        LocalDate today = LocalDate.ofInstant(at, storeZone);
        if (!today.equals(day)) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            try {
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
            }
            day = today;
        }
        byte[] h = mac.doFinal(device.getBytes(StandardCharsets.UTF_8));
        String reference = Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 16);
        long thisMinute = Math.floorDiv(at.getEpochSecond(), 60);
        // A sighting stamped a moment before the minute turned counts in the new one; a clock set back starts afresh.
        if (thisMinute > minute || thisMinute < minute - 1) {
            minute = thisMinute;
            toldApart.clear();
        }
        if (toldApart.size() >= perMinute && !toldApart.contains(reference)) {
            merged.run();
            return null;
        }
        toldApart.add(reference);
        return reference;
    }
}
