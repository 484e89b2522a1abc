package io.storegw.drivers.ble.identity;

import io.storegw.drivers.ble.beacon.BeaconFrame;
import java.time.Duration;
import java.time.Instant;

/**
 * Resolves Eddystone-EIDs to registered beacons and phones: every registration's EIDs for the periods
 * within the drift tolerance of the gateway's clock are precomputed, temporary keys cached per
 * 65,536-second block. Not thread-safe: the core loop owns it.
 */
public final class EidResolver {

    /** Most periods either side of now a registration may need; a smaller exponent needs more. */
    static final int MAX_WINDOW = 16;

    /**
     * A registered EID advertiser.
     *
     * @param id          who it is (a member pseudonym, a beacon name)
     * @param exponent    rotation period exponent K: a new EID every 2^K seconds
     * @param clockOffset the beacon's time counter minus the Unix time, in seconds, as learnt at registration
     */
    public record Registration(String id, byte[] identityKey, int exponent, long clockOffset) {
        public Registration {
            EidCrypto.requireLength(identityKey, EidCrypto.IDENTITY_KEY_LENGTH, "identity key");
            if (exponent < 0 || exponent > 15) {
                throw new IllegalArgumentException("rotation exponent must be 0-15, is " + exponent);
            }
            identityKey = identityKey.clone();
        }

        /** The beacon's time counter at {@code epochSecond}. */
        public long beaconTime(long epochSecond) {
            return (epochSecond + clockOffset) & 0xFFFF_FFFFL;
        }
    }

    private final long driftSeconds;
    private final RotatingIds<Registration> ids = new RotatingIds<>();

    /** @param drift how far a beacon's clock may have wandered from the gateway's, either way */
    public EidResolver(Duration drift) {
        this.driftSeconds = drift.toSeconds();
    }

    /**
     * Registers (or replaces) an advertiser.
     *
     * @throws IllegalArgumentException when the exponent is too small to cover the drift tolerance
     *                                  within {@value #MAX_WINDOW} periods either side
     */
    public void register(Registration r) {
        int window = (int) Math.max(1, Math.min(Integer.MAX_VALUE, -Math.floorDiv(-driftSeconds, 1L << r.exponent())));
        if (window > MAX_WINDOW) {
            throw new IllegalArgumentException("rotation exponent %d rotates too fast to resolve with a drift tolerance of %d s; use %d or more"
                    .formatted(r.exponent(), driftSeconds, minExponent(Duration.ofSeconds(driftSeconds))));
        }
        ids.put(r.id(), r, new EidRotor(r, window));
    }

    /** The smallest rotation exponent whose EIDs resolve with this drift tolerance. */
    public static int minExponent(Duration drift) {
        return 64 - Long.numberOfLeadingZeros(Math.max(1, drift.toSeconds() / MAX_WINDOW));
    }

    public void remove(String id) {
        ids.remove(id);
    }

    public int size() {
        return ids.size();
    }

    /** Moves the precomputed window to {@code now}; cheap when called for every advertisement. */
    public void advanceTo(Instant now) {
        ids.advanceTo(now.getEpochSecond());
    }

    /** The registration whose EID this is, or {@code null}. */
    public Registration resolve(long eid) {
        return ids.lookup(eid);
    }

    /**
     * Decrypts an eTLM frame from a resolved advertiser, trying the period of {@code now} and its
     * neighbours (the frame carries no time of its own).
     *
     * @return the telemetry, or {@code null} when no period in the window verifies
     */
    public BeaconFrame.EddystoneTlm decryptTlm(Registration r, BeaconFrame.EddystoneEncryptedTlm frame, Instant now) {
        long t = r.beaconTime(now.getEpochSecond());
        long period = 1L << r.exponent();
        for (int step = 0; step <= 2; step++) {
            for (int sign : step == 0 ? new int[] {0} : new int[] {-1, 1}) {
                BeaconFrame.EddystoneTlm tlm = EidCrypto.decryptTlm(r.identityKey(), r.exponent(), t + sign * step * period, frame);
                if (tlm != null) {
                    return tlm;
                }
            }
        }
        return null;
    }

    /** One registration's EIDs, with the temporary key of the block last used. */
    private static final class EidRotor implements RotatingIds.Rotor {
        private final Registration r;
        private final int window;
        private long keyBlock = -1;
        private byte[] temporaryKey;

        EidRotor(Registration r, int window) {
            this.r = r;
            this.window = window;
        }

        @Override
        public long periodAt(long epochSecond) {
            return (epochSecond + r.clockOffset()) >> r.exponent();
        }

        @Override
        public int window() {
            return window;
        }

        @Override
        public long idFor(long period) {
            long beaconTime = (period << r.exponent()) & 0xFFFF_FFFFL;
            long block = beaconTime >>> 16;
            if (block != keyBlock) {
                temporaryKey = EidCrypto.temporaryKey(r.identityKey(), beaconTime);
                keyBlock = block;
            }
            return EidCrypto.eid(temporaryKey, r.exponent(), beaconTime);
        }
    }
}
