package io.storegw.drivers.ble.identity;

import io.storegw.drivers.ble.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The app-beacon scheme for phones that can only advertise an iBeacon (iOS): the loyalty app
 * advertises the retailer's UUID with a major/minor that rotates every period, derived from a
 * per-member secret, so only the gateway (which holds the secrets) can tell who it is. See
 * {@code docs/identity.md} for the phone side.
 *
 * <pre>
 * counter     = floor(unix seconds / period seconds)
 * mac         = HMAC-SHA256(member secret, "storegw-app-beacon-v1" || counter as 8 bytes big-endian)
 * major|minor = mac[0..3] (major = mac[0..1], minor = mac[2..3], big-endian)
 * </pre>
 */
public final class AppBeacon {

    private static final byte[] LABEL = "storegw-app-beacon-v1".getBytes(StandardCharsets.US_ASCII);
    /** Shortest secret accepted: HMAC-SHA256 wants at least 128 bits of key to be worth its name. */
    public static final int MIN_SECRET = 16;

    private final UUID uuid;
    private final long periodSeconds;

    public AppBeacon(UUID uuid, Duration period) {
        if (period.toSeconds() < 60) {
            throw new IllegalArgumentException("app-beacon period must be at least 60 s, is " + period);
        }
        this.uuid = uuid;
        this.periodSeconds = period.toSeconds();
    }

    /** The iBeacon proximity UUID the retailer's app advertises. */
    public UUID uuid() {
        return uuid;
    }

    public long periodSeconds() {
        return periodSeconds;
    }

    /** The time counter at {@code at}. */
    public long counter(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), periodSeconds);
    }

    /** Major (high 16 bits) and minor (low 16 bits) for a member secret and counter. */
    public static int majorMinor(byte[] secret, long counter) {
        Mac mac = hmac(secret);
        mac.update(LABEL);
        byte[] c = new byte[8];
        for (int i = 0; i < 8; i++) {
            c[i] = (byte) (counter >>> (56 - 8 * i));
        }
        return (int) Bytes.u32be(mac.doFinal(c), 0);
    }

    private static Mac hmac(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET) {
            throw new IllegalArgumentException("app-beacon secret must be at least %d bytes".formatted(MIN_SECRET));
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("unusable app-beacon secret", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** The lookup side: member secrets to their current major/minor, over a window of periods. */
    public static final class Resolver {
        private final RotatingIds<String> ids = new RotatingIds<>();
        private final long periodSeconds;
        private final int window;

        /** @param window periods either side of now that still resolve (phone clocks, late reports) */
        public Resolver(AppBeacon scheme, int window) {
            this.periodSeconds = scheme.periodSeconds;
            this.window = window;
        }

        public void register(String memberId, byte[] secret) {
            byte[] key = secret.clone();
            hmac(key); // reject a short secret now, not at the first rotation
            ids.put(memberId, memberId, new RotatingIds.Rotor() {
                @Override
                public long periodAt(long epochSecond) {
                    return Math.floorDiv(epochSecond, periodSeconds);
                }

                @Override
                public int window() {
                    return window;
                }

                @Override
                public long idFor(long period) {
                    return majorMinor(key, period) & 0xFFFF_FFFFL;
                }
            });
        }

        public void remove(String memberId) {
            ids.remove(memberId);
        }

        public int size() {
            return ids.size();
        }

        public void advanceTo(Instant now) {
            ids.advanceTo(now.getEpochSecond());
        }

        /** The member advertising {@code major}/{@code minor} now, or {@code null} (unknown, or shared by two members). */
        public String resolve(int major, int minor) {
            return ids.lookup(((long) major << 16 | minor) & 0xFFFF_FFFFL);
        }

        /** Whether {@code major}/{@code minor} belongs to several members in the window. */
        public boolean ambiguous(int major, int minor) {
            return ids.ambiguous(((long) major << 16 | minor) & 0xFFFF_FFFFL);
        }
    }
}
