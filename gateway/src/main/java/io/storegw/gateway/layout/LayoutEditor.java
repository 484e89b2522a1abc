package io.storegw.gateway.layout;

import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.CoreLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The one way the running gateway's layout is changed, by a technician (admin API) or by central
 * ({@code zones.replace}): checked as the config file would be, applied through the core loop, one
 * change at a time, and returned once durable.
 */
public final class LayoutEditor {

    private static final Pattern TILL = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final StoreLayout layout;
    private final CoreLoop core;
    private final Set<String> fileTills;

    /** @param fileTills the tills of the tokens file, which the layout may not name again */
    public LayoutEditor(StoreLayout layout, CoreLoop core, Set<String> fileTills) {
        this.layout = layout;
        this.core = core;
        this.fileTills = Set.copyOf(fileTills);
    }

    /** The tills of the tokens file. */
    public Set<String> fileTills() {
        return fileTills;
    }

    /**
     * Replaces the whole layout if it is still at {@code expectedVersion}.
     *
     * @throws IllegalArgumentException naming every problem of {@code next}
     * @throws IllegalStateException    when the layout changed meanwhile
     */
    public synchronized StoreLayout.View replace(Layout next, long expectedVersion, String reason) throws Exception {
        check(next);
        long version = layout.view().version();
        if (expectedVersion != version) {
            throw new IllegalStateException("the layout changed meanwhile (now version " + version + ", not " + expectedVersion
                    + "); look again and retry");
        }
        core.instruct(new LayoutChange(version + 1, next, reason)).get(30, TimeUnit.SECONDS);
        return layout.view();
    }

    /** Replaces the zones, keeping offsets, beacons and tills, whatever the version. */
    public synchronized StoreLayout.View replaceZones(List<GatewayConfig.Zone> zones, String reason) throws Exception {
        Layout now = layout.view().layout();
        return replace(new Layout(zones, now.receiverOffsets(), now.beacons(), now.tills()), layout.view().version(), reason);
    }

    private void check(Layout next) {
        List<String> problems = new ArrayList<>();
        ConfigLoader.checkPlaces(next.zones(), next.receiverOffsets(), next.beacons()).forEach(p -> problems.add(p.toString()));
        next.tills().forEach((till, hash) -> {
            if (!TILL.matcher(till).matches()) {
                problems.add("till " + till + ": expected letters, digits, - and _ (1 to 64)");
            } else if (fileTills.contains(till)) {
                problems.add("till " + till + " is already in the tokens file (sources.pos.http.tokensFile)");
            }
            if (hash == null || !SHA256_HEX.matcher(hash).matches()) {
                problems.add("till " + till + ": expected the token's SHA-256 as 64 lowercase hex digits");
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
    }
}
