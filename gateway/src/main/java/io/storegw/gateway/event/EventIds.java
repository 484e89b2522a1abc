package io.storegw.gateway.event;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Makes CloudEvents ids: UUIDv7 (RFC 9562), so ids sort by creation time.
 *
 * <p>Within one millisecond a counter in the random bits keeps ids increasing; thread-safe.
 */
public final class EventIds {

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private long lastMillis;
    private long counter;

    public EventIds(Clock clock) {
        this.clock = clock;
    }

    /** The next id. */
    public synchronized String next() {
        long millis = clock.millis();
        if (millis > lastMillis) {
            lastMillis = millis;
            counter = random.nextLong() & 0x1FFL; // room left for 2^11 increments in this millisecond
        } else {
            counter++;
            if (counter > 0xFFFL) {
                lastMillis++;  // borrow the next millisecond rather than repeat
                counter = 0;
            }
        }
        long msb = (lastMillis << 16) | 0x7000L | counter;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
