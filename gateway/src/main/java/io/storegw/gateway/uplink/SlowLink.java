package io.storegw.gateway.uplink;

import java.time.Duration;

/**
 * Finds a link too slow to carry a row within the keep-alive, and stretches the keep-alive until the row is through.
 * Paho ends a connection when nothing comes from the broker for a keep-alive after its PINGREQ, and the PINGREQ waits
 * behind the packet being written: a packet that took longer than about two keep-alives to send (a 500 KB sale at
 * 64 kbit/s with the default 30 s) was lost with its connection and sent again from its first byte, for ever.
 *
 * <p>Two connections in a row lost to their keep-alive with the same oldest row in flight double the keep-alive of
 * the next connections, up to {@link #CEILING}; once that row is acknowledged, the connection after the current one
 * goes back to the configured keep-alive (MQTT fixes it for a connection's life), for a dead link to be noticed soon
 * again. The longest keep-alive that was needed is remembered: the next connection lost to its keep-alive with a row
 * in flight gets it at once, without losing two more. A link that goes dark costs no stretch: its connects fail,
 * and once it is back the row goes through on the first connection.
 */
final class SlowLink {

    /** The longest keep-alive AWS IoT Core takes; other brokers take it too, and a dead link is still noticed within 40 min. */
    static final Duration CEILING = Duration.ofMinutes(20);

    private final Duration configured;
    private Duration current;
    /** The longest keep-alive a row has needed, or null. */
    private Duration needed;
    /** The oldest row in flight at the last keep-alive loss, 0 when none or since cleared. */
    private long suspect;
    /** The row the keep-alive was stretched for, 0 when none. */
    private long stretchedFor;
    private boolean through;
    /** False while there is nothing to track, so a PUBACK costs one volatile read. */
    private volatile boolean watching;

    SlowLink(Duration configured) {
        this.configured = configured;
        this.current = configured;
    }

    /** The keep-alive for a new connection. */
    synchronized Duration keepAlive() {
        if (through) {
            current = configured;
            stretchedFor = 0;
            through = false;
        }
        return current;
    }

    /**
     * A connection was lost to its keep-alive with {@code oldestSeq} the oldest row in flight (0 when none): the
     * stretched keep-alive when the next connections get a longer one, else null.
     */
    synchronized Duration keepAliveLost(long oldestSeq) {
        if (oldestSeq == 0) {
            suspect = 0;
            return null;
        }
        Duration next;
        if (needed != null && current.compareTo(needed) < 0) {
            next = needed;
        } else if (oldestSeq == suspect) {
            Duration ceiling = configured.compareTo(CEILING) > 0 ? configured : CEILING;
            next = current.multipliedBy(2).compareTo(ceiling) > 0 ? ceiling : current.multipliedBy(2);
        } else {
            suspect = oldestSeq;
            watching = true;
            return null;
        }
        suspect = oldestSeq;
        if (next.equals(current)) {
            return null;
        }
        current = next;
        needed = next;
        stretchedFor = oldestSeq;
        through = false;
        watching = true;
        return current;
    }

    /** A row left the window by a PUBACK. */
    void acknowledged(long seq) {
        if (!watching) {
            return;
        }
        synchronized (this) {
            if (seq == suspect) {
                suspect = 0;
            }
            if (stretchedFor != 0 && seq >= stretchedFor) {
                through = true;
            }
            watching = suspect != 0 || stretchedFor != 0 && !through;
        }
    }
}
