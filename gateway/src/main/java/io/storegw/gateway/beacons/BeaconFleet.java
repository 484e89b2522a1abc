package io.storegw.gateway.beacons;

import io.storegw.drivers.observation.BeaconTelemetry;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.Instruction;
import io.storegw.gateway.layout.LayoutChange;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The health of the store's fixed beacons: {@code beacon.health} from their TLM frames (battery,
 * temperature, uptime), at most once per beacon per {@code healthEvery}, and {@code beacon.missing}
 * once when a watched beacon has not been heard for {@code missingAfter}. A beacon heard again is
 * watched afresh.
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

    private static final class Watch {
        Instant lastHeard;
        Instant since;
        boolean reported;
    }

    private final Duration missingAfter;
    private final Duration healthEvery;
    /** One per watched beacon: the beacons whose absence is reported. */
    private final Map<String, Watch> watches = new HashMap<>();
    private final Map<String, Instant> lastHealth = new HashMap<>();

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
            watched.forEach(b -> watches.computeIfAbsent(b, x -> new Watch()));
        }
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (observation instanceof BleSighting s) {
            heard(s.advertiser(), s.at());
        } else if (observation instanceof BeaconTelemetry t) {
            heard(t.beacon(), t.at());
            Instant last = lastHealth.get(t.beacon());
            if (last == null || !t.at().isBefore(last.plus(healthEvery))) {
                lastHealth.put(t.beacon(), t.at());
                out.emit(EventCatalogue.BEACON_HEALTH, t.beacon(), DataClass.ANONYMOUS, new Health(t.beacon(), t.receiverId(), t.at(),
                        t.batteryMv(), t.temperatureC(), t.advertisements(), t.uptimeSeconds()));
            }
        }
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
        }
        lastHealth.replaceAll((beacon, at) -> at.isAfter(now) ? now : at);
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
    }
}
