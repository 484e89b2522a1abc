package io.storegw.rigs.presence;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.virtual.PresenceScenario;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventType;
import io.storegw.gateway.presence.ZoneTracker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one presence scenario through zone placers and scores each against the ground truth: share of
 * time in the right zone, spurious zone changes per visit, and how late entries and exits are published.
 * Every placer sees the same seconds, so the figures compare within one run.
 */
public final class PresenceAccuracy {

    /** What a placer said: a stay from {@code from} to {@code to}, published at {@code enteredPublished} / {@code exitedPublished}. */
    record Stay(String who, String zone, Instant from, Instant to, Instant enteredPublished, Instant exitedPublished) {
    }

    /** Something that places phones in zones from sightings, second by second. */
    interface Placer {
        String name();

        void heard(BleSighting s);

        void second(Instant now);

        /** Every stay, closed ones and (at the end) open ones. */
        List<Stay> stays(Instant end);
    }

    /**
     * The figures of one placer.
     *
     * @param accuracy       share of member-seconds in the store placed in the true zone
     * @param flapsPerVisit  published stays in a zone the member was mostly not in, per visit
     * @param changesPerVisit published zone stays per visit (the truth has {@code trueChangesPerVisit})
     */
    public record Score(String placer, double accuracy, double flapsPerVisit, double changesPerVisit, double trueChangesPerVisit,
                        double entryP50, double entryP90, double exitP50, double exitP90, double missedEntries) {
    }

    /** The default tracker settings of the gateway, on the virtual floor, with the given filter and window. */
    public static ZoneTracker.Settings trackerSettings(ZoneTracker.Filter filter, Duration window) {
        List<GatewayConfig.Zone> zones = new ArrayList<>();
        PresenceScenario.zoneByReceiver().forEach((receiver, zone) -> zones.add(new GatewayConfig.Zone(zone, List.of(receiver), null)));
        // everything else as a config that sets nothing would have it
        return Gateway.zoneSettings(new GatewayConfig.Presence(zones, null, window, null, null, null, null, null,
                filter.name().toLowerCase(java.util.Locale.ROOT)), new GatewayConfig.Core(null, null, null, null).kAnonymity());
    }

    /** The gateway's zone tracker, its events turned back into stays. */
    static Placer tracker(String name, ZoneTracker.Settings settings) {
        ZoneTracker tracker = new ZoneTracker(settings, new TimeBuckets(Duration.ofMinutes(15)), SavedState.NONE);
        Map<String, Stay> open = new HashMap<>();
        List<Stay> closed = new ArrayList<>();
        Instant[] clock = new Instant[1];
        Emitter out = new Emitter() {
            @Override
            public void emit(EventType type, String subject, DataClass dataClass, Object data) {
                if (type.equals(EventCatalogue.PRESENCE_ZONE_ENTERED)) {
                    ZoneTracker.Entered e = (ZoneTracker.Entered) data;
                    open.put(e.member(), new Stay("member:" + e.member(), e.zone(), e.enteredAt(), null, clock[0], null));
                } else if (type.equals(EventCatalogue.PRESENCE_ZONE_EXITED)) {
                    ZoneTracker.Exited e = (ZoneTracker.Exited) data;
                    Stay s = open.remove(e.member());
                    closed.add(new Stay(s.who(), e.zone(), e.enteredAt(), e.exitedAt(), s.enteredPublished(), clock[0]));
                }
            }

            @Override
            public void save(String key, Object state) {
                // no restarts in a benchmark
            }
        };
        return new Placer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void heard(BleSighting s) {
                clock[0] = s.at();
                tracker.onObservation(s, out);
            }

            @Override
            public void second(Instant now) {
                clock[0] = now;
                tracker.onTick(now, out);
            }

            @Override
            public List<Stay> stays(Instant end) {
                List<Stay> all = new ArrayList<>(closed);
                open.values().forEach(s -> all.add(new Stay(s.who(), s.zone(), s.from(), end, s.enteredPublished(), null)));
                return all;
            }
        };
    }

    /**
     * The naive baseline: each second, the zone of the receiver that heard the phone loudest in that
     * second; no filter, no hysteresis, no minimum dwell; out after {@code exitAfter} unheard.
     */
    static Placer nearestReceiver(Map<String, String> zoneByReceiver, Duration exitAfter) {
        return new Placer() {
            final Map<String, BleSighting> loudest = new HashMap<>();
            final Map<String, Stay> open = new HashMap<>();
            final Map<String, Instant> lastHeard = new HashMap<>();
            final List<Stay> closed = new ArrayList<>();

            @Override
            public String name() {
                return "nearest receiver (baseline)";
            }

            @Override
            public void heard(BleSighting s) {
                loudest.merge(s.advertiser(), s, (a, b) -> b.rssi() > a.rssi() ? b : a);
                lastHeard.put(s.advertiser(), s.at());
            }

            @Override
            public void second(Instant now) {
                loudest.forEach((who, s) -> {
                    String zone = zoneByReceiver.get(s.receiverId());
                    Stay current = open.get(who);
                    if (current == null || !current.zone().equals(zone)) {
                        if (current != null) {
                            closed.add(new Stay(who, current.zone(), current.from(), now, current.enteredPublished(), now));
                        }
                        open.put(who, new Stay(who, zone, now, null, now, null));
                    }
                });
                loudest.clear();
                open.entrySet().removeIf(e -> {
                    Instant last = lastHeard.get(e.getKey());
                    if (!now.isBefore(last.plus(exitAfter))) {
                        Stay s = e.getValue();
                        closed.add(new Stay(s.who(), s.zone(), s.from(), last, s.enteredPublished(), now));
                        return true;
                    }
                    return false;
                });
            }

            @Override
            public List<Stay> stays(Instant end) {
                List<Stay> all = new ArrayList<>(closed);
                open.values().forEach(s -> all.add(new Stay(s.who(), s.zone(), s.from(), end, s.enteredPublished(), null)));
                return all;
            }
        };
    }

    /** Runs the scenario once through every placer and scores them. */
    public static List<Score> run(PresenceScenario.Settings scenario, List<Placer> placers) {
        Instant start = Instant.parse("2026-11-23T08:00:00Z");
        PresenceScenario store = new PresenceScenario(scenario, start);
        Map<String, List<String>> truth = new HashMap<>(); // who -> zone per second since start (null: not in)
        Instant now = start;
        while (store.hasNext()) {
            PresenceScenario.Second second = store.next();
            now = second.at();
            for (BleSighting s : second.heard()) {
                placers.forEach(p -> p.heard(s));
            }
            placers.forEach(p -> p.second(second.at().plusSeconds(1)));
            int index = (int) Duration.between(start, second.at()).toSeconds();
            second.truth().forEach((who, zone) -> {
                List<String> timeline = truth.computeIfAbsent(who, w -> new ArrayList<>());
                while (timeline.size() < index) {
                    timeline.add(null);
                }
                timeline.add(zone);
            });
        }
        Instant end = now.plus(Duration.ofMinutes(10));
        for (Instant t = now.plusSeconds(1); t.isBefore(end); t = t.plusSeconds(1)) {
            Instant tick = t;
            placers.forEach(p -> p.second(tick)); // let timeouts run out
        }
        List<Score> scores = new ArrayList<>();
        for (Placer p : placers) {
            scores.add(score(p.name(), p.stays(end), truth, start, scenario.visits()));
        }
        return scores;
    }

    private static Score score(String name, List<Stay> stays, Map<String, List<String>> truth, Instant start, int visits) {
        Map<String, String[]> placed = new HashMap<>();
        truth.forEach((who, timeline) -> placed.put(who, new String[timeline.size()]));
        int flaps = 0;
        for (Stay s : stays) {
            String[] line = placed.get(s.who());
            List<String> real = truth.get(s.who());
            int from = (int) Math.max(0, Duration.between(start, s.from()).toSeconds());
            int to = (int) Math.min(line.length, Duration.between(start, s.to()).toSeconds());
            int agree = 0;
            for (int i = from; i < to; i++) {
                line[i] = s.zone();
                if (s.zone().equals(real.get(i))) {
                    agree++;
                }
            }
            if (agree * 2 <= Math.max(0, to - from)) {
                flaps++;
            }
        }
        long total = 0;
        long right = 0;
        int trueStays = 0;
        List<Double> entry = new ArrayList<>();
        List<Double> exit = new ArrayList<>();
        int missed = 0;
        for (var e : truth.entrySet()) {
            List<String> real = e.getValue();
            String[] line = placed.get(e.getKey());
            for (int i = 0; i < real.size(); i++) {
                if (real.get(i) != null) {
                    total++;
                    if (real.get(i).equals(line[i])) {
                        right++;
                    }
                }
            }
            // true stays: runs of one zone; latencies against the published stay that matches each
            int i = 0;
            while (i < real.size()) {
                if (real.get(i) == null) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < real.size() && real.get(i).equals(real.get(j))) {
                    j++;
                }
                if (j - i >= 20) { // crossing a zone for a few seconds on the way is not a stay
                    trueStays++;
                    Instant from = start.plusSeconds(i);
                    Instant to = start.plusSeconds(j);
                    String zone = real.get(i);
                    Stay match = stays.stream().filter(s -> s.who().equals(e.getKey()) && s.zone().equals(zone)
                                    && s.from().isBefore(to) && s.to().isAfter(from))
                            .min((a, b) -> a.from().compareTo(b.from())).orElse(null);
                    if (match == null) {
                        missed++;
                    } else {
                        entry.add(Duration.between(from, match.enteredPublished()).toMillis() / 1000.0);
                        if (match.exitedPublished() != null) {
                            exit.add(Duration.between(to, match.exitedPublished()).toMillis() / 1000.0);
                        }
                    }
                }
                i = j;
            }
        }
        return new Score(name, (double) right / total, (double) flaps / visits, (double) stays.size() / visits,
                (double) trueStays / visits, pct(entry, 50), pct(entry, 90), pct(exit, 50), pct(exit, 90), (double) missed / trueStays);
    }

    /** The nearest-rank {@code p}th percentile, or NaN of nothing. */
    public static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[Math.max(0, (int) Math.ceil(p / 100.0 * v.length) - 1)];
    }

    /** The placers the benchmark compares: the baseline first, then the tracker with each filter, then with a longer window. */
    public static List<Placer> placers() {
        return List.of(nearestReceiver(PresenceScenario.zoneByReceiver(), Duration.ofSeconds(60)),
                tracker("zone tracker, median (default)", trackerSettings(ZoneTracker.Filter.MEDIAN, Duration.ofSeconds(5))),
                tracker("zone tracker, Kalman", trackerSettings(ZoneTracker.Filter.KALMAN, Duration.ofSeconds(5))),
                tracker("zone tracker, median, window 15 s", trackerSettings(ZoneTracker.Filter.MEDIAN, Duration.ofSeconds(15))),
                tracker("zone tracker, Kalman, window 15 s", trackerSettings(ZoneTracker.Filter.KALMAN, Duration.ofSeconds(15))));
    }

    private PresenceAccuracy() {
    }
}
