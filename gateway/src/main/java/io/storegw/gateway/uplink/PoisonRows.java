package io.storegw.gateway.uplink;

/**
 * Finds a row that central's broker closes the connection on every time it is sent. Mosquitto answers a publish
 * its ACL denies by closing the connection (eclipse-mosquitto/mosquitto#2579: the PUBACK with the code is lost in
 * the reset), AWS IoT Core does so for any publish it refuses, and a broker that announced no Maximum Packet Size
 * does so for a packet over it. Sent again after every reconnect, such a row held every later row back for ever.
 *
 * <p>Two connections in a row that the broker closed with the same oldest unacknowledged row make the next ones
 * send one row at a time (after the connection's birth, which goes alone). A row the broker then
 * closes the connection on twice, alone in flight, is refused for good. A window of rows acknowledged one at a
 * time ends the single-stepping. One lost connection never condemns a row: a flaky network takes two losses with
 * the same row oldest, then two more with it alone in flight.
 */
final class PoisonRows {

    private static final int LOSSES_TO_SINGLE_STEP = 2;
    private static final int ALONE_LOSSES_TO_CONDEMN = 2;
    /** Rows acknowledged one at a time that end the single-stepping: about a window, past the suspect. */
    private static final int SINGLE_STEP_ROWS = 20;

    private long suspect;
    private int losses;
    private int aloneLosses;
    private boolean singleStep;
    private int ackedSingly;
    /** False while there is nothing to track, so a PUBACK costs one volatile read. */
    private volatile boolean watching;

    /** The in-flight window for the next connection: one row at a time while a suspect is being isolated. */
    synchronized int window(int full) {
        return singleStep ? 1 : full;
    }

    /**
     * The broker closed the connection while {@code oldestSeq} was the oldest row sent and not acknowledged,
     * {@code alone} if nothing else was in flight. True when that row is the one to refuse.
     */
    synchronized boolean closedWith(long oldestSeq, boolean alone) {
        if (oldestSeq != suspect) {
            suspect = oldestSeq;
            losses = 0;
            aloneLosses = 0;
        }
        losses++;
        if (singleStep && alone) {
            aloneLosses++;
        }
        if (!singleStep && losses >= LOSSES_TO_SINGLE_STEP) {
            singleStep = true;
            ackedSingly = 0;
        }
        watching = true;
        if (aloneLosses >= ALONE_LOSSES_TO_CONDEMN) {
            suspect = 0;
            losses = 0;
            aloneLosses = 0;
            return true;
        }
        return false;
    }

    /** A row left the window by a PUBACK (whatever its code) after {@code window} rows at most were in flight. */
    void acknowledged(long seq, int window) {
        if (!watching) {
            return;
        }
        synchronized (this) {
            if (seq == suspect) {
                suspect = 0;
                losses = 0;
                aloneLosses = 0;
            }
            if (singleStep && window == 1 && ++ackedSingly >= SINGLE_STEP_ROWS) {
                singleStep = false;
            }
            watching = singleStep || suspect != 0;
        }
    }

    /** Whether connections send one row at a time now. */
    synchronized boolean singleStepping() {
        return singleStep;
    }
}
