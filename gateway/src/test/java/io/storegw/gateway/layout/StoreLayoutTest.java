package io.storegw.gateway.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.observation.BleSighting;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.testing.RecordingEmitter;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layout: the config's at first, then each change, saved (through JSON, as the outbox does) and read back at start. */
class StoreLayoutTest {

    private static final String BEACON = "ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/100/42";

    @TempDir
    Path dir;

    private GatewayConfig config(String zones) {
        return TestConfigs.config(dir, "tcp://127.0.0.1:1883", 0, 0, "presence:\n  zones:\n" + zones);
    }

    /** What the outbox would hand back at the next start: the saved state through JSON. */
    private static SavedState reloaded(RecordingEmitter out) {
        return new SavedState() {
            @Override
            public <T> List<T> load(String prefix, Class<T> type) {
                List<T> found = new ArrayList<>();
                out.saved.forEach((k, v) -> {
                    if (k.startsWith(prefix)) {
                        try {
                            found.add(CloudEventEncoder.JSON.readValue(CloudEventEncoder.JSON.writeValueAsBytes(v), type));
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                return found;
            }
        };
    }

    @Test
    void changesAreSavedWithAnEventAndKeptUntilTheConfigFileIsEdited() {
        GatewayConfig first = config("    - {name: entrance, receivers: [door]}\n");
        StoreLayout layout = new StoreLayout(first, SavedState.NONE);
        assertThat(layout.view().version()).isZero();
        assertThat(layout.view().layout().zones()).extracting(GatewayConfig.Zone::name).containsExactly("entrance");

        RecordingEmitter out = new RecordingEmitter();
        Layout changed = new Layout(List.of(new GatewayConfig.Zone("entrance", List.of("door"), List.of()),
                new GatewayConfig.Zone("coffee", List.of(), List.of(BEACON))), Map.of("door", 3.0), List.of(), Map.of("till-9", "ab".repeat(32)));
        layout.onInstruction(new LayoutChange(1, changed, "zone coffee added"), out);
        assertThat(layout.view().version()).isEqualTo(1);
        assertThat(layout.view().tillByTokenHash()).containsEntry("ab".repeat(32), "till-9");
        assertThat(out.data(EventCatalogue.GATEWAY_LAYOUT)).singleElement().isInstanceOfSatisfying(StoreLayout.Changed.class, c -> {
            assertThat(c.reason()).isEqualTo("zone coffee added");
            assertThat(c.tills()).containsExactly("till-9");
        });

        layout.onObservation(new BleSighting(Instant.parse("2026-11-23T10:00:00Z"), "door", BEACON, -70, -59), out);
        layout.onTick(Instant.parse("2026-11-23T10:00:01Z"), out);
        assertThat(layout.view().receiversHeard()).containsKey("door");
        assertThat(layout.view().beaconsHeard()).containsEntry(BEACON, Instant.parse("2026-11-23T10:00:00Z"));

        // a restart with the same config file: the change holds
        StoreLayout restarted = new StoreLayout(first, reloaded(out));
        assertThat(restarted.view().version()).isEqualTo(1);
        assertThat(restarted.view().layout()).isEqualTo(changed);

        // the file's zones edited meanwhile: the file wins, the tills added from the command line stay
        StoreLayout edited = new StoreLayout(config("    - {name: aisles, receivers: [aisle]}\n"), reloaded(out));
        assertThat(edited.view().layout().zones()).extracting(GatewayConfig.Zone::name).containsExactly("aisles");
        assertThat(edited.view().layout().tills()).containsOnlyKeys("till-9");
    }
}
