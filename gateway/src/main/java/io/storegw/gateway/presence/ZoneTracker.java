package io.storegw.gateway.presence;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.Instruction;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutChange;
import io.storegw.gateway.members.MemberForgotten;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Which zone each phone is in, from noisy RSSI, and the visits of members. Per window, each receiver's
 * samples are filtered ({@link RssiFilter}) and corrected by the receiver's offset, and every zone gets a
 * score: minus how far in dB the phone is from sounding like it is in the zone. Signals are first
 * calibrated by the advertiser's own power at 1 m (from its frames; Eddystone's 0 m power less 41 dB;
 * {@value #DEFAULT_TX_DBM} dBm when it sends none), so a quiet phone is not taken for a far one: what
 * is compared is path loss, that is distance. For a zone's receiver the score is how much more than
 * {@value #NEAR_LOSS_DB} dB beyond the 1 m power the signal lost (about 1.1 m; nearer is no more in the
 * zone); for a zone marked by fixed beacons, the distance between the phone's and the beacon's
 * calibrated signals ({@link BeaconReferences}). Hysteresis keeps
 * people from flapping between zones: a challenger must beat the current zone by {@code margin} for
 * {@code wins} windows in a row (a first zone must lead for as many). A stay counts once the phone has
 * been heard there for {@code minDwell}; it ends when another zone wins or after {@code exitAfter} of
 * silence.
 *
 * <p>Members get {@code presence.zone.entered/exited} and {@code visit.started/ended} (a visit ends
 * after {@code visitEndAfter} of silence); open visits are saved with their events, so a restart does
 * not start a second visit. Anonymous phones ({@code anon:} session references) only feed the
 * per-zone counts and dwell of {@link ZoneOccupancy}; staff and fixed beacons are never tracked.
 */
public final class ZoneTracker implements ObservationHandler {

    /**
     * @param zones            the zones, by receivers and/or fixed beacons
     * @param receiverOffsetDb added to a receiver's RSSI (a receiver mounted high or in a case hears less)
     * @param window           how long samples are gathered before a decision
     * @param marginDb         how much better a challenger zone must score
     * @param wins             for how many windows in a row
     * @param exitAfter        not heard this long: out of the zone
     * @param minDwell         staying this long makes a stay count (and an entry worth publishing)
     * @param visitEndAfter    not heard this long: the visit is over
     * @param k                the anonymous tier's suppression threshold
     * @param filter           how a window's samples become one figure per receiver
     */
    public record Settings(List<Zone> zones, Map<String, Double> receiverOffsetDb, Duration window, double marginDb,
                           int wins, Duration exitAfter, Duration minDwell, Duration visitEndAfter, int k, Filter filter) {
        public Settings {
            zones = List.copyOf(zones);
            receiverOffsetDb = Map.copyOf(receiverOffsetDb);
        }

        /** The same tuning for a layout's zones and receiver offsets. */
        public Settings with(Layout layout) {
            return new Settings(ZoneTracker.zones(layout.zones()), layout.receiverOffsets(), window, marginDb, wins, exitAfter, minDwell,
                    visitEndAfter, k, filter);
        }
    }

    /** How a receiver's samples of a phone are smoothed; see {@code docs/presence.md} for the measured comparison. */
    public enum Filter {
        /** Per window: the median after dropping samples more than 10 dB from it. */
        MEDIAN,
        /** Across windows: a one-dimensional Kalman filter on a random walk. */
        KALMAN
    }

    /** A zone: the receivers that hear it best and the fixed beacons placed in it. */
    public record Zone(String name, Set<String> receivers, Set<String> beacons) {
        public Zone {
            receivers = Set.copyOf(receivers);
            beacons = Set.copyOf(beacons);
        }
    }

    /** The data of {@code presence.zone.entered}. */
    public record Entered(String member, String zone, Instant enteredAt) {
    }

    /** The data of {@code presence.zone.exited}. */
    public record Exited(String member, String zone, Instant enteredAt, Instant exitedAt, long dwellSeconds) {
    }

    /** The data of {@code visit.started}. */
    public record VisitStarted(String member, String visitId, Instant startedAt, String zone) {
    }

    /** The data of {@code visit.ended}: the zones in the order first entered, with the time spent in each. */
    public record VisitEnded(String member, String visitId, Instant startedAt, Instant endedAt, long dwellSeconds,
                             List<ZoneDwell> zones) {
    }

    /** Time spent in one zone during a visit. */
    public record ZoneDwell(String zone, long dwellSeconds) {
    }

    /**
     * A member's visit as it stands (open) or stood (ended lately): what a purchase or a pickup is
     * related to.
     *
     * @param zones the zones in the order first entered, with the time spent in each so far (the current
     *              stay up to the last time heard)
     */
    public record VisitSoFar(String visitId, Instant startedAt, Instant lastHeard, boolean open, List<ZoneDwell> zones) {
    }

    /**
     * An open visit as saved beside the outbox: enough to carry on after a restart without a second
     * {@code visit.started}, and to end it at the right time if the member left meanwhile.
     */
    public record OpenVisit(String member, String visitId, Instant startedAt, Instant lastHeard, String zone,
                            Instant zoneSince, Map<String, Long> dwellSeconds) {
    }

    /** The 1 m power of a phone or beacon whose frames do not say: a typical iBeacon and phone. */
    public static final int DEFAULT_TX_DBM = -59;
    /** A signal within this many dB of its 1 m power comes from about a metre off: at the receiver. */
    static final double NEAR_LOSS_DB = 1;
    /** Where open visits are saved; one key per member. */
    public static final String SAVED_PREFIX = "presence/visit/";
    /**
     * How long sightings of a member whose consent was revoked are ignored: a radio may have resolved
     * one before it took up the revocation, which it does at its next advertisement.
     */
    private static final Duration FORGOTTEN_FOR = Duration.ofMinutes(2);
    /** Members whose consent was revoked lately, and when. */
    private final Map<String, Instant> forgotten = new HashMap<>();
    /** The core clock's time at the last tick. */
    private Instant lastTick = Instant.EPOCH;
    /** Visits ended within {@link #ENDED_KEPT}, by member, oldest first: purchases after leaving still relate to them. */
    private final LinkedHashMap<String, VisitSoFar> ended = new LinkedHashMap<>();
    /** Longer than any attribution window a retailer would set; memory only, so a restart forgets them. */
    public static final Duration ENDED_KEPT = Duration.ofHours(3);
    private static final int ENDED_MAX = 20_000;
    private static final String MEMBER = "member:";
    private static final String ANONYMOUS = "anon:";
    /** An open visit's last-heard time is saved at most this often, so an outage ends it about right. */
    private static final Duration SAVE_EVERY = Duration.ofMinutes(1);

    /** One phone's state. */
    private static final class Track {
        final Map<String, Heard> receivers = new HashMap<>();
        boolean heardInWindow;
        /** The advertiser's calibrated power at 1 m, as its frames last said. */
        int txPower = DEFAULT_TX_DBM;
        Instant windowEnd;
        Instant lastHeard;
        String zone;
        Instant since;
        boolean announced;
        String challenger;
        int challengerWins;
        /** When the challenger began to win: where its stay starts if it wins through. */
        Instant challengerSince;
        /** Members only: the visit, once a first stay counted. */
        Visit visit;

        /** Every time kept, {@code back} earlier: the clock was set back by that much. */
        void shiftBack(Duration back) {
            windowEnd = minus(windowEnd, back);
            lastHeard = minus(lastHeard, back);
            since = minus(since, back);
            challengerSince = minus(challengerSince, back);
            receivers.values().forEach(h -> h.last = h.last.minus(back));
            if (visit != null) {
                // saved at the next sighting or tick that looks, so a restart finds the new times
                visit = new Visit(visit.id, visit.startedAt.minus(back), visit.dwellSeconds, Instant.EPOCH);
            }
        }
    }

    private static Instant minus(Instant at, Duration back) {
        return at == null ? null : at.minus(back);
    }

    /** One receiver's filter of one phone, and when it last heard it. */
    private static final class Heard {
        final RssiFilter filter;
        Instant last;

        Heard(RssiFilter filter, Instant last) {
            this.filter = filter;
            this.last = last;
        }
    }

    private static final class Visit {
        final String id;
        final Instant startedAt;
        final Map<String, Long> dwellSeconds;
        Instant savedLastHeard;

        Visit(String id, Instant startedAt, Map<String, Long> dwellSeconds, Instant savedLastHeard) {
            this.id = id;
            this.startedAt = startedAt;
            this.dwellSeconds = new LinkedHashMap<>(dwellSeconds);
            this.savedLastHeard = savedLastHeard;
        }
    }

    private Settings settings;
    private final Map<String, String> zoneByReceiver = new HashMap<>();
    private BeaconReferences beacons;
    private final ZoneOccupancy occupancy;
    private final Map<String, Track> tracks = new HashMap<>();

    /** @param saved where open visits of the last run are found */
    public ZoneTracker(Settings settings, TimeBuckets buckets, SavedState saved) {
        use(settings);
        this.occupancy = new ZoneOccupancy(buckets, settings.k());
        for (OpenVisit v : saved.load(SAVED_PREFIX, OpenVisit.class)) {
            Track t = new Track();
            t.lastHeard = v.lastHeard();
            t.zone = v.zone();
            t.since = v.zoneSince();
            t.announced = v.zone() != null;
            t.visit = new Visit(v.visitId(), v.startedAt(), v.dwellSeconds(), v.lastHeard());
            tracks.put(MEMBER + v.member(), t);
        }
    }

    private void use(Settings settings) {
        this.settings = settings;
        zoneByReceiver.clear();
        settings.zones().forEach(z -> z.receivers().forEach(r -> zoneByReceiver.put(r, z.name())));
        this.beacons = new BeaconReferences(settings.zones(), settings.receiverOffsetDb(), settings.window(), settings.exitAfter());
    }

    /**
     * A new layout: zones and offsets change from the next window on (fixed beacons' fingerprints are
     * learnt again within one). A stay in a zone that is gone ends now.
     */
    @Override
    public void onInstruction(Instruction instruction, Emitter out) {
        if (instruction instanceof MemberForgotten gone) {
            forgotten.put(MEMBER + gone.member(), lastTick);
            ended.remove(gone.member());
            if (tracks.remove(MEMBER + gone.member()) != null) {
                out.save(SAVED_PREFIX + gone.member(), null);
            }
            return;
        }
        if (!(instruction instanceof LayoutChange change)) {
            return;
        }
        use(settings.with(change.layout()));
        Set<String> names = new java.util.HashSet<>();
        settings.zones().forEach(z -> names.add(z.name()));
        tracks.forEach((who, t) -> {
            if (t.zone != null && !names.contains(t.zone)) {
                leave(who, t, t.lastHeard, out);
                if (t.visit != null) {
                    save(who, t, out);
                }
            }
            if (t.challenger != null && !names.contains(t.challenger)) {
                t.challenger = null;
                t.challengerWins = 0;
            }
        });
    }

    /** The tracker's zones from the config's (and layout's) zones. */
    public static List<Zone> zones(List<GatewayConfig.Zone> zones) {
        return zones.stream().map(z -> new Zone(z.name(), Set.copyOf(z.receivers()), Set.copyOf(z.beacons()))).toList();
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (!(observation instanceof BleSighting s)) {
            return;
        }
        if (beacons.offer(s)) {
            return;
        }
        if (!s.advertiser().startsWith(MEMBER) && !s.advertiser().startsWith(ANONYMOUS)
                || !zoneByReceiver.containsKey(s.receiverId()) && !beacons.hears(s.receiverId())) {
            return;
        }
        if (!forgotten.isEmpty() && forgotten.containsKey(s.advertiser())) {
            return; // resolved before the radios heard of the revocation
        }
        occupancy.onTick(s.at(), out, this::counted);
        Track t = tracks.computeIfAbsent(s.advertiser(), k -> new Track());
        if (t.windowEnd == null) {
            t.windowEnd = s.at().plus(settings.window());
        }
        decide(s.advertiser(), t, s.at(), out);
        Heard h = t.receivers.computeIfAbsent(s.receiverId(), r -> new Heard(RssiFilter.of(settings.filter()), s.at()));
        h.filter.add(s.rssi(), Math.max(0, Duration.between(h.last, s.at()).toMillis() / 1000.0));
        h.last = s.at();
        t.heardInWindow = true;
        if (s.txPower() != null) {
            t.txPower = s.txPower();
        }
        if (t.lastHeard == null || s.at().isAfter(t.lastHeard)) {
            t.lastHeard = s.at(); // one handled late (stamped on another thread) does not end the stay early
        }
        if (t.visit != null && !t.lastHeard.isBefore(t.visit.savedLastHeard.plus(SAVE_EVERY))) {
            save(s.advertiser(), t, out);
        }
    }

    /**
     * The zone counts start again from the new time, and every time kept of a phone, a visit or a fixed beacon is
     * moved back by the step (the last tick's time less {@code now}): the clock ran ahead by that much, so a stay
     * that began before the step and ends after it lasts what it lasted, and windows and exits are decided at once,
     * not after the clock has caught up with the times it read while ahead. Events already sent keep their times;
     * central is told which by the {@code clock.stepped} alarm.
     */
    @Override
    public void onClockSetBack(Instant now) {
        occupancy.clockSetBack(now);
        Duration back = Duration.between(now, lastTick);
        if (back.isNegative() || back.isZero()) { // also before the first tick (EPOCH)
            return;
        }
        tracks.values().forEach(t -> t.shiftBack(back));
        ended.replaceAll((member, v) -> new VisitSoFar(v.visitId(), v.startedAt().minus(back), v.lastHeard().minus(back), v.open(), v.zones()));
        forgotten.replaceAll((member, at) -> at.minus(back));
        beacons.shiftBack(back);
    }

    @Override
    public void onTick(Instant now, Emitter out) {
        occupancy.onTick(now, out, this::counted);
        lastTick = now;
        forgotten.values().removeIf(at -> at.isBefore(now.minus(FORGOTTEN_FOR)));
        // oldest first (visits are appended as they end): stop at the first one still kept, no full scan per tick
        for (var it = ended.values().iterator(); it.hasNext() && it.next().lastHeard().isBefore(now.minus(ENDED_KEPT)); ) {
            it.remove();
        }
        for (Iterator<Map.Entry<String, Track>> it = tracks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Track> e = it.next();
            String who = e.getKey();
            Track t = e.getValue();
            if (t.windowEnd != null) {
                decide(who, t, now, out);
            }
            if (t.zone != null && !now.isBefore(t.lastHeard.plus(settings.exitAfter()))) {
                leave(who, t, t.lastHeard, out);
                if (t.visit != null) {
                    save(who, t, out);
                }
            }
            if (t.visit != null ? !now.isBefore(t.lastHeard.plus(settings.visitEndAfter()))
                    : !now.isBefore(t.lastHeard.plus(settings.exitAfter()))) {
                if (t.visit != null) {
                    endVisit(who, t, out);
                }
                it.remove();
            }
        }
    }

    /** Closes every window that ended by {@code now}, then counts a stay the phone has been heard in long enough. */
    private void decide(String who, Track t, Instant now, Emitter out) {
        while (!now.isBefore(t.windowEnd)) {
            Instant end = t.windowEnd;
            t.windowEnd = end.plus(settings.window());
            if (!t.heardInWindow) {
                continue;
            }
            t.heardInWindow = false;
            Map<String, Double> scores = scores(t, end);
            if (scores.isEmpty()) {
                continue;
            }
            String best = scores.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            double current = t.zone == null || !scores.containsKey(t.zone) ? Double.NEGATIVE_INFINITY : scores.get(t.zone);
            boolean wins = !best.equals(t.zone) && scores.get(best) >= current + settings.marginDb();
            if (!wins) {
                t.challenger = null;
                t.challengerWins = 0;
                continue;
            }
            if (!best.equals(t.challenger)) {
                t.challenger = best;
                t.challengerWins = 0;
                t.challengerSince = end.minus(settings.window());
            }
            t.challengerWins++;
            if (t.challengerWins >= settings.wins()) {
                // the phone has sounded like the new zone since the challenger's first winning window
                Instant since = t.challengerSince.isBefore(t.since == null ? Instant.MIN : t.since) ? t.since : t.challengerSince;
                leave(who, t, since, out);
                t.zone = best;
                t.since = since;
                t.announced = false;
                t.challenger = null;
                t.challengerWins = 0;
            }
        }
        // heard there for minDwell, not merely unheard-of since: a passer-by who left is not counted
        if (t.zone != null && !t.announced && t.lastHeard != null && !t.lastHeard.isBefore(t.since.plus(settings.minDwell()))) {
            t.announced = true;
            occupancy.entered(who, t.zone);
            if (who.startsWith(MEMBER)) {
                String member = member(who);
                if (t.visit == null) {
                    t.visit = new Visit(UUID.randomUUID().toString(), t.since, Map.of(), t.lastHeard);
                    out.emitAbout(member, EventCatalogue.VISIT_STARTED, member,
                            new VisitStarted(member, t.visit.id, t.since, t.zone));
                }
                out.emitAbout(member, EventCatalogue.PRESENCE_ZONE_ENTERED, member + "/" + t.zone,
                        new Entered(member, t.zone, t.since));
                save(who, t, out);
            }
        }
    }

    /** Each zone's score in dB for one window of samples (calibrated: dB below the 1 m power); zones nobody heard are absent. */
    private Map<String, Double> scores(Track t, Instant at) {
        Map<String, Double> rssi = new HashMap<>();
        for (Iterator<Map.Entry<String, Heard>> it = t.receivers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Heard> e = it.next();
            double value = e.getValue().filter.closeWindow();
            if (!Double.isNaN(value)) {
                rssi.put(e.getKey(), value + settings.receiverOffsetDb().getOrDefault(e.getKey(), 0.0) - t.txPower);
            } else if (at.isAfter(e.getValue().last.plus(settings.exitAfter()))) {
                it.remove(); // a receiver that has lost the phone starts afresh when it hears it again
            }
        }
        Map<String, Double> scores = new HashMap<>();
        rssi.forEach((receiver, value) -> {
            String zone = zoneByReceiver.get(receiver);
            if (zone != null) {
                scores.merge(zone, Math.min(0, value + NEAR_LOSS_DB), Math::max);
            }
        });
        beacons.score(rssi, at, scores);
        return scores;
    }

    private void leave(String who, Track t, Instant at, Emitter out) {
        if (t.zone != null && t.announced) {
            // never before it began, whatever the times handed in (the events' schemas: dwell of 0 or more)
            Instant exitedAt = at.isBefore(t.since) ? t.since : at;
            long dwell = Duration.between(t.since, exitedAt).toSeconds();
            occupancy.exited(t.zone, dwell);
            if (t.visit != null) {
                String member = member(who);
                t.visit.dwellSeconds.merge(t.zone, dwell, Long::sum);
                out.emitAbout(member, EventCatalogue.PRESENCE_ZONE_EXITED, member + "/" + t.zone,
                        new Exited(member, t.zone, t.since, exitedAt, dwell));
            }
        }
        t.zone = null;
        t.announced = false;
    }

    private void endVisit(String who, Track t, Emitter out) {
        String member = member(who);
        Visit v = t.visit;
        List<ZoneDwell> zones = v.dwellSeconds.entrySet().stream().map(e -> new ZoneDwell(e.getKey(), e.getValue())).toList();
        Instant endedAt = t.lastHeard.isBefore(v.startedAt) ? v.startedAt : t.lastHeard;
        out.emitAbout(member, EventCatalogue.VISIT_ENDED, member, new VisitEnded(member, v.id, v.startedAt,
                endedAt, Duration.between(v.startedAt, endedAt).toSeconds(), zones));
        out.save(SAVED_PREFIX + member, null);
        ended.remove(member);
        ended.put(member, new VisitSoFar(v.id, v.startedAt, t.lastHeard, false, zones));
        if (ended.size() > ENDED_MAX) {
            ended.remove(ended.keySet().iterator().next());
        }
    }

    /**
     * The zone the tracker places someone in now ({@code member:} or {@code anon:} key), counted stay or
     * not yet: quicker than a visit's zone by {@code minDwell}; null when unplaced.
     */
    public String placedIn(String identityKey) {
        Track t = tracks.get(identityKey);
        return t == null ? null : t.zone;
    }

    /** The zone a receiver marks, or null. */
    public String zoneOfReceiver(String receiverId) {
        return zoneByReceiver.get(receiverId);
    }

    /** The member's open visit, else their last visit if it ended within {@link #ENDED_KEPT}; else null. */
    public VisitSoFar visitOf(String member) {
        Track t = tracks.get(MEMBER + member);
        if (t == null || t.visit == null) {
            return ended.get(member);
        }
        Map<String, Long> dwell = new LinkedHashMap<>(t.visit.dwellSeconds);
        if (t.announced) {
            dwell.merge(t.zone, Math.max(0, Duration.between(t.since, t.lastHeard).toSeconds()), Long::sum);
        }
        return new VisitSoFar(t.visit.id, t.visit.startedAt, t.lastHeard, true,
                dwell.entrySet().stream().map(e -> new ZoneDwell(e.getKey(), e.getValue())).toList());
    }

    private void save(String who, Track t, Emitter out) {
        String member = member(who);
        t.visit.savedLastHeard = t.lastHeard;
        out.save(SAVED_PREFIX + member, new OpenVisit(member, t.visit.id, t.visit.startedAt, t.lastHeard,
                t.announced ? t.zone : null, t.announced ? t.since : null, new LinkedHashMap<>(t.visit.dwellSeconds)));
    }

    /** Who has a counted stay in which zone now. */
    private Map<String, String> counted() {
        Map<String, String> in = new HashMap<>();
        tracks.forEach((who, t) -> {
            if (t.announced) {
                in.put(who, t.zone);
            }
        });
        return in;
    }

    private static String member(String identityKey) {
        return identityKey.substring(MEMBER.length());
    }
}
