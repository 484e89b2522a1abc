package io.storegw.drivers.ble.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session references for devices nobody may follow: a keyed hash of what tells one device from another
 * on air (its address, a node's fingerprint id), under a key made at random in memory for each store
 * day and never written anywhere. Within a day the same device has the same reference, so it is
 * counted once per bucket; the next day, or after a restart, nothing links it to what it was.
 */
public final class SessionReferences {

    private final ZoneId storeZone;
    private final SecureRandom random;
    private LocalDate day;
    private Mac mac;

    public SessionReferences(ZoneId storeZone, SecureRandom random) {
        this.storeZone = storeZone;
        this.random = random;
    }

    /** The reference of {@code device} on the store day of {@code at}: 16 base64url characters. */
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
        return Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 16);
    }
}
