package io.storegw.gateway.layout;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.Emitter;
import io.storegw.gateway.core.Instruction;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.event.DataClass;
import io.storegw.gateway.event.EventCatalogue;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tinylog.Logger;

/**
 * Keeps the layout: the config file's at first, then each {@link LayoutChange}, saved with its
 * {@code gateway.layout} event so that a restart starts from the last change. Also notes when each
 * receiver and each of the layout's beacons was last heard, for {@code storegw receivers} and
 * {@code storegw beacons}. Other threads read {@link #view()}.
 */
public final class StoreLayout implements ObservationHandler {

    /** Where the layout is saved beside the outbox. */
    public static final String SAVED_KEY = "layout/current";
    /** Receivers remembered as heard; a source inventing receiver names must not grow the heap. */
    private static final int MAX_HEARD = 512;

    /** What is saved: the layout, its version, and the config file's layout it started from. */
    public record Saved(long version, Layout base, Layout layout) {
    }

    /** The data of {@code gateway.layout}: tills by name only. */
    public record Changed(long version, String reason, List<GatewayConfig.Zone> zones, Map<String, Double> receiverOffsets,
                          List<String> beacons, List<String> tills) {
    }

    /**
     * The layout now, and when receivers and beacons were last heard (up to the last core tick).
     *
     * @param tillByTokenHash the tills added from the command line, by the SHA-256 (hex) of their token
     */
    public record View(long version, Layout layout, Map<String, Instant> receiversHeard, Map<String, Instant> beaconsHeard,
                       Map<String, String> tillByTokenHash) {
    }

    private final Layout base;
    private final Map<String, Instant> receiversHeard = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > MAX_HEARD;
        }
    };
    /** Only the layout's beacons: bounded by the layout. */
    private final Map<String, Instant> beaconsHeard = new HashMap<>();
    private Set<String> beacons;
    private volatile View view;

    /** The layout of the last run when the config file's has not been edited since; otherwise the file's. */
    public StoreLayout(GatewayConfig config, SavedState saved) {
        this.base = Layout.of(config);
        List<Saved> last = saved.load(SAVED_KEY, Saved.class);
        long version = 0;
        Layout layout = base;
        if (!last.isEmpty()) {
            Saved s = last.get(0);
            version = s.version();
            if (s.base().samePlaces(base)) {
                layout = s.layout();
            } else {
                // the file is what a technician edited last: it wins over the command-line changes before it
                Logger.warn("The config file's zones, receiver offsets or beacons were edited since the last layout change"
                        + " from the command line; the file's apply (tills added from the command line are kept)");
                layout = base.withTills(s.layout().tills());
            }
        }
        use(version, layout);
    }

    /** The layout now; any thread. */
    public View view() {
        return view;
    }

    private void use(long version, Layout layout) {
        beacons = layout.watchedBeacons();
        beaconsHeard.keySet().retainAll(beacons);
        publish(version, layout);
    }

    private void publish(long version, Layout layout) {
        Map<String, String> tillByHash = new HashMap<>();
        layout.tills().forEach((till, hash) -> tillByHash.put(hash, till));
        view = new View(version, layout, Map.copyOf(receiversHeard), Map.copyOf(beaconsHeard), Map.copyOf(tillByHash));
    }

    @Override
    public void onObservation(Observation observation, Emitter out) {
        if (observation instanceof BleSighting s) {
            receiversHeard.put(s.receiverId(), s.at());
            if (beacons.contains(s.advertiser())) {
                beaconsHeard.put(s.advertiser(), s.at());
            }
        }
    }

    @Override
    public void onTick(Instant now, Emitter out) {
        View v = view;
        publish(v.version(), v.layout());
    }

    @Override
    public void onInstruction(Instruction instruction, Emitter out) {
        if (!(instruction instanceof LayoutChange change)) {
            return;
        }
        Layout layout = change.layout();
        use(change.version(), layout);
        out.save(SAVED_KEY, new Saved(change.version(), base, layout));
        out.emit(EventCatalogue.GATEWAY_LAYOUT, "layout", DataClass.ANONYMOUS, new Changed(change.version(), change.reason(),
                layout.zones(), layout.receiverOffsets(), layout.beacons(), List.copyOf(new java.util.TreeSet<>(layout.tills().keySet()))));
    }
}
