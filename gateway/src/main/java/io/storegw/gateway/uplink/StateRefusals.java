package io.storegw.gateway.uplink;

import java.time.Duration;
import java.time.Instant;
import org.tinylog.Logger;

/**
 * Whether central's broker takes the gateway's messages on its state topic: the retained birth and its refreshes, and
 * the Will. A policy may allow the events and not that topic (AWS IoT Core asks for iot:RetainPublish to publish a
 * retained message, and for a condition on iot:Connect to set a Will), and Mosquitto and AWS IoT Core answer a publish
 * they refuse by closing the connection. Sent first on every connection, a refused birth held every event back for
 * ever; a refused Will made every connect fail. Refused, the state is not sent, nor the Will set, for {@link #RETRY},
 * and the events go on: central misses the gateway's state, not its events.
 *
 * <p>The birth goes alone, before any event, so a connection the broker closes while it waits is the birth's doing;
 * two such in a row are a refusal. A connect refused "not authorized" with a Will is tried again without one; if that
 * connects, the Will is what the broker refuses.
 */
final class StateRefusals {

    /** How long a refused state (or Will) is not sent: a policy put right at central is seen this late at most. */
    static final Duration RETRY = Duration.ofMinutes(15);
    private static final int LOSSES_TO_REFUSE = 2;
    private static final int NOT_AUTHORIZED = 0x87;

    private final String topic;
    private Refusal state;
    private long stateRefusedAt;
    private int lossesAlone;
    private boolean willSuspect;
    private Refusal will;
    private long willRefusedAt;

    StateRefusals(String topic) {
        this.topic = topic;
    }

    /** Whether to send the state now: it was never refused, or it was {@link #RETRY} ago. */
    synchronized boolean stateDue(long now) {
        return state == null || Elapsed.over(stateRefusedAt, now, RETRY.toMillis());
    }

    /** Whether a state message now would try again one the broker refused. */
    synchronized boolean retrying() {
        return state != null;
    }

    /** Whether the next connect sets the Will: not while the broker refuses the state topic or the Will. */
    synchronized boolean withWill(long now) {
        return stateDue(now) && !willSuspect && (will == null || Elapsed.over(willRefusedAt, now, RETRY.toMillis()));
    }

    /** The broker acknowledged a state message. */
    synchronized void accepted() {
        if (state != null) {
            Logger.info("Central's broker takes the gateway's state on {} again", topic);
        }
        state = null;
        lossesAlone = 0;
    }

    /** The broker refused a state message for good ({@link Refusal#forGood()}). */
    synchronized void refused(Refusal why, long now) {
        if (state == null) {
            Logger.warn("Central's broker refuses the gateway's state on {}: {}. Events go on; the state (and the Will) is not sent, and"
                    + " tried again every {} min. Its policy must allow publishing retained messages on that topic", topic,
                    why.describe(), RETRY.toMinutes());
        }
        state = why;
        stateRefusedAt = now;
        lossesAlone = 0;
    }

    /** The connection was lost, not by this side, while the birth waited alone for its PUBACK. */
    synchronized void lostWithBirthAlone(long now) {
        if (++lossesAlone >= LOSSES_TO_REFUSE) {
            refused(new Refusal(Refusal.CLOSED, "the broker closed the connection each time the state was sent"), now);
        }
    }

    /** The broker refused a connect with reason {@code code}, which had a Will if {@code withWill}. */
    synchronized void connectRefused(int code, boolean withWill) {
        willSuspect = withWill && code == NOT_AUTHORIZED; // else a connect without the Will was refused too: not the Will's doing
    }

    /** A connect succeeded, with a Will if {@code withWill}. */
    synchronized void connected(boolean withWill, long now) {
        if (withWill) {
            will = null;
        } else if (willSuspect) {
            willSuspect = false;
            will = new Refusal(NOT_AUTHORIZED, "a connect with the Will was refused, one without it taken");
            willRefusedAt = now;
            Logger.warn("Central's broker refuses the gateway's Will on {}: connects go without it, tried again every {} min. Its"
                    + " policy must allow a (retained) Will on that topic", topic, RETRY.toMinutes());
        }
    }

    /** What central's broker refuses on the state topic, for {@code storegw status}; null when nothing. */
    synchronized String problem() {
        if (state != null) {
            return "central's broker refuses the gateway's state on " + topic + " since " + Instant.ofEpochMilli(stateRefusedAt)
                    + ": " + state.describe() + " (events go on; the state is tried again every " + RETRY.toMinutes() + " min)";
        }
        if (will != null) {
            return "central's broker refuses the gateway's Will on " + topic + " since " + Instant.ofEpochMilli(willRefusedAt)
                    + ": connects go without it (tried again every " + RETRY.toMinutes() + " min)";
        }
        return null;
    }
}
