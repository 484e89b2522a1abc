package io.storegw.gateway.beacons;

import io.storegw.drivers.observation.BeaconTelemetry;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.Instruction;
import io.storegw.gateway.core.LeftOut;
import io.storegw.gateway.layout.LayoutChange;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The health of the store's fixed beacons: {@code beacon.health} from their TLM frames (battery,
 * temperature, uptime), at most once per beacon per {@code healthEvery}, and {@code beacon.missing}
 * once when a watched beacon has not been heard for {@code missingAfter}. A beacon heard again is
 * watched afresh.
 *
 * <p>Telemetry is reported for beacons that are not watched too (a neighbour's, one not yet registered), but
 * for at most {@link #MAX_UNWATCHED} of them per {@code healthEvery}: their ids are what they advertise, and
 * Eddystone spam (a random UID and a TLM from each random address) would otherwise make one report and one
 * entry kept for ever per id, a heap run out and central flooded. Those past the limit are said once an hour
 * in an alarm.
 */
public final class BeaconFleet implements ObservationHandler {

    /** The data of {@code beacon.health}. */
    public record Health(String beacon, String receiverId, Instant at, Integer batteryMv, Double temperatureC,
                         long advertisements, long uptimeSeconds) {
    }

    /**
     * The data of {@code beacon.missing}.
     *
     * @param lastHeard null when not heard since the gateway started ({@code watchedSince})
     */
    public record Missing(String beacon, Instant lastHeard, Instant watchedSince, long silentSeconds) {
    }

    /** Beacons not watched whose telemetry is reported per {@code healthEvery} at most. */
    public static final int MAX_UNWATCHED = 1_000;

    private static final class Watch {
        Instant lastHeard;
        Instant since;
        boolean reported;
        /** When its telemetry was last reported. */
        Instant lastHealth;
    }

    private final Duration missingAfter;
    private final Duration healthEvery;
    /** One per watched beacon: the beacons whose absence is reported. */
    private final Map<String, Watch> watches = new HashMap<>();
    /** When the telemetry of beacons not watched was last reported, oldest first; at most {@link #MAX_UNWATCHED}. */
    private final Map<String, Instant> unwatchedHealth = new LinkedHashMap<>();
    private final LeftOut unwatchedLeftOut = new LeftOut("beacons.unwatched", "beacons");

    /** @param watched the beacons whose absence is reported; telemetry is reported for every fixed beacon */
    public BeaconFleet(Set<String> watched, Duration missingAfter, Duration healthEvery) {
        watched.forEach(b -> watches.put(b, new Watch()));
        this.missingAfter = missingAfter;
        this.healthEvery = healthEvery;
    }

    /** A new layout: beacons it adds are watched from now on; those it drops are not reported missing. */
    @Override
    public void onInstruction(Instruction instruction, Emitter out) {
        if (instruction instanceof LayoutChange change) {
            Set<String> watched = change.layout().watchedBeacons();
            watches.keySet().retainAll(watched);
            watched.forEach(b -> watches.computeIfAbsent(b, x -> {
                Watch w = new Watch();
                w.lastHealth = unwatchedHealth.remove(b);
                return w;
            }));
        }
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (observation instanceof BleSighting s) {
            heard(s.advertiser(), s.at());
        } else if (observation instanceof BeaconTelemetry t) {
            heard(t.beacon(), t.at());
            if (due(t.beacon(), t.at())) {
                out.emit(EventCatalogue.BEACON_HEALTH, t.beacon(), DataClass.ANONYMOUS, new Health(t.beacon(), t.receiverId(), t.at(),
                        t.batteryMv(), t.temperatureC(), t.advertisements(), t.uptimeSeconds()));
            }
        }
    }

    /** Whether a beacon's telemetry heard at {@code at} is reported, and if so notes it. */
    private boolean due(String beacon, Instant at) {
        Watch w = watches.get(beacon);
        Instant last = w != null ? w.lastHealth : unwatchedHealth.get(beacon);
        if (last != null && at.isBefore(last.plus(healthEvery))) {
            return false;
        }
        if (w != null) {
            w.lastHealth = at;
            return true;
        }
        if (last == null && unwatchedHealth.size() >= MAX_UNWATCHED) {
            // Those reported healthEvery ago or more would be reported again anyway: their places are free.
            for (var oldest = unwatchedHealth.values().iterator(); oldest.hasNext() && !at.isBefore(oldest.next().plus(healthEvery)); ) {
                oldest.remove();
            }
            if (unwatchedHealth.size() >= MAX_UNWATCHED) {
                unwatchedLeftOut.add();
                return false;
            }
        }
        unwatchedHealth.remove(beacon); // to the end: the map stays in the order of reports
        unwatchedHealth.put(beacon, at);
        return true;
    }

    private void heard(String beacon, Instant at) {
        Watch w = watches.get(beacon);
        if (w == null) {
            return;
        }
        if (w.lastHeard == null || at.isAfter(w.lastHeard)) {
            w.lastHeard = at;
            w.reported = false;
        }
    }

    /**
     * What was heard while the clock ran ahead counts as heard at the step: an absence is reported
     * {@code missingAfter} from now at the latest, and telemetry once {@code healthEvery} has passed from now.
     */
    @Override
    public void onClockSetBack(Instant now) {
        for (Watch w : watches.values()) {
            w.lastHeard = w.lastHeard != null && w.lastHeard.isAfter(now) ? now : w.lastHeard;
            w.since = w.since != null && w.since.isAfter(now) ? now : w.since;
            w.lastHealth = w.lastHealth != null && w.lastHealth.isAfter(now) ? now : w.lastHealth;
        }
        unwatchedHealth.replaceAll((beacon, at) -> at.isAfter(now) ? now : at);
    }

    @Override
    public void onTick(Instant now, Emitter out) {
        for (Map.Entry<String, Watch> e : watches.entrySet()) {
            String beacon = e.getKey();
            Watch w = e.getValue();
            if (w.since == null) {
                w.since = now; // not heard since the start: a start is not an absence, so count from here
            }
            Instant from = w.lastHeard != null ? w.lastHeard : w.since;
            if (!w.reported && !now.isBefore(from.plus(missingAfter))) {
                w.reported = true;
                out.emit(EventCatalogue.BEACON_MISSING, beacon, DataClass.ANONYMOUS,
                        new Missing(beacon, w.lastHeard, w.since, Duration.between(from, now).toSeconds()));
            }
        }
        unwatchedLeftOut.sayIfDue(now, out, n -> "Telemetry (TLM) came from more than " + MAX_UNWATCHED + " beacons that are neither"
                + " in a zone nor registered within beacons.healthEvery (" + healthEvery + "): " + n + " TLMs of others were not"
                + " reported as beacon.health since the last such alarm (or the start). Eddystone spam near the store, or a"
                + " neighbour's fleet; the store's own beacons are always reported. Said at most once an hour while it lasts.");
    }
}
