package io.storegw.gateway.presence;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Which zone each identified member is in, from noisy RSSI at the zones' receivers. Per window, each
 * receiver's samples are filtered ({@link RssiFilter}) and corrected by the receiver's offset; a zone
 * scores its best receiver. Hysteresis keeps people from flapping between zones: a challenger must
 * beat the current zone by {@code margin} for {@code wins} windows in a row (a first zone must lead
 * for as many). {@code presence.zone.entered} is published once a member has stayed
 * {@code minDwell}; {@code presence.zone.exited} (with dwell) when they move on or are not heard for
 * {@code exitAfter}. Anonymous devices are counted elsewhere, never tracked here.
 */
public final class ZoneTracker implements ObservationHandler {

    /**
     * @param zoneByReceiver   the zone each receiver belongs to
     * @param receiverOffsetDb added to a receiver's RSSI (a receiver mounted high or in a case hears less)
     * @param window           how long samples are gathered before a decision
     * @param marginDb         how much better a challenger zone must score
     * @param wins             for how many windows in a row
     * @param exitAfter        not heard this long: gone
     * @param minDwell         staying this long makes an entry worth publishing
     */
    public record Settings(Map<String, String> zoneByReceiver, Map<String, Double> receiverOffsetDb, Duration window,
                           double marginDb, int wins, Duration exitAfter, Duration minDwell) {
        public Settings {
            zoneByReceiver = Map.copyOf(zoneByReceiver);
            receiverOffsetDb = Map.copyOf(receiverOffsetDb);
        }
    }

    /** The data of {@code presence.zone.entered}. */
    public record Entered(String member, String zone, Instant enteredAt) {
    }

    /** The data of {@code presence.zone.exited}. */
    public record Exited(String member, String zone, Instant enteredAt, Instant exitedAt, long dwellSeconds) {
    }

    private static final String MEMBER = "member:";

    /** One member's state. */
    private static final class Track {
        final Map<String, List<Integer>> samples = new HashMap<>();
        Instant windowEnd;
        Instant lastHeard;
        String zone;
        Instant since;
        boolean announced;
        String challenger;
        int challengerWins;
    }

    private final Settings settings;
    private final Map<String, Track> tracks = new HashMap<>();

    public ZoneTracker(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (!(observation instanceof BleSighting s) || !s.advertiser().startsWith(MEMBER)
                || !settings.zoneByReceiver().containsKey(s.receiverId())) {
            return;
        }
        Track t = tracks.computeIfAbsent(s.advertiser(), k -> new Track());
        if (t.windowEnd == null) {
            t.windowEnd = s.at().plus(settings.window());
        }
        decide(s.advertiser(), t, s.at(), out);
        t.samples.computeIfAbsent(s.receiverId(), r -> new ArrayList<>()).add(s.rssi());
        t.lastHeard = s.at();
    }

    @Override
    public void onTick(Instant now, Emitter out) {
        for (Iterator<Map.Entry<String, Track>> it = tracks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Track> e = it.next();
            Track t = e.getValue();
            decide(e.getKey(), t, now, out);
            if (!now.isBefore(t.lastHeard.plus(settings.exitAfter()))) {
                leave(e.getKey(), t, t.lastHeard, out);
                it.remove();
            }
        }
    }

    /** Closes every window that ended by {@code now}, then publishes an entry the member has been heard in long enough. */
    private void decide(String member, Track t, Instant now, Emitter out) {
        while (!now.isBefore(t.windowEnd)) {
            Instant end = t.windowEnd;
            t.windowEnd = end.plus(settings.window());
            if (t.samples.isEmpty()) {
                continue;
            }
            Map<String, Double> scores = new HashMap<>();
            t.samples.forEach((receiver, rssi) -> scores.merge(settings.zoneByReceiver().get(receiver),
                    RssiFilter.of(rssi) + settings.receiverOffsetDb().getOrDefault(receiver, 0.0), Math::max));
            t.samples.clear();
            String best = scores.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            double current = t.zone == null || !scores.containsKey(t.zone) ? Double.NEGATIVE_INFINITY : scores.get(t.zone);
            boolean wins = !best.equals(t.zone) && scores.get(best) >= current + settings.marginDb();
            if (!wins) {
                t.challenger = null;
                t.challengerWins = 0;
                continue;
            }
            t.challengerWins = best.equals(t.challenger) ? t.challengerWins + 1 : 1;
            t.challenger = best;
            if (t.challengerWins >= settings.wins()) {
                leave(member, t, end, out);
                t.zone = best;
                t.since = end;
                t.announced = false;
                t.challenger = null;
                t.challengerWins = 0;
            }
        }
        // heard there for minDwell, not merely unheard-of since: a passer-by who left is not announced
        if (t.zone != null && !t.announced && t.lastHeard != null && !t.lastHeard.isBefore(t.since.plus(settings.minDwell()))) {
            t.announced = true;
            out.emit(EventCatalogue.PRESENCE_ZONE_ENTERED, member(member) + "/" + t.zone, DataClass.PSEUDONYMOUS,
                    new Entered(member(member), t.zone, t.since));
        }
    }

    private void leave(String member, Track t, Instant at, Emitter out) {
        if (t.zone != null && t.announced) {
            out.emit(EventCatalogue.PRESENCE_ZONE_EXITED, member(member) + "/" + t.zone, DataClass.PSEUDONYMOUS,
                    new Exited(member(member), t.zone, t.since, at, Duration.between(t.since, at).toSeconds()));
        }
        t.zone = null;
        t.announced = false;
    }

    private static String member(String identityKey) {
        return identityKey.substring(MEMBER.length());
    }
}
