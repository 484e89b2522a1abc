package io.storegw.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.testing.BrokerAndCentral;
import io.storegw.gateway.testing.SteppedClock;
import io.storegw.gateway.testing.TestConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.data.Offset;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway whose wall clock is set while it runs, as NTP sets a Pi's (no battery-backed clock), with the
 * monotonic clock running on untouched; against a real broker, with an independent subscriber.
 */
class ClockStepTest {

    @TempDir
    Path dir;
    @RegisterExtension
    final BrokerAndCentral rig = new BrokerAndCentral(() -> dir.resolve("broker"));

    /**
     * NTP sets a Pi's clock forward on its first sync, weeks for one that sat in a box, while events wait for
     * central's broker. With TTLs on the wall clock alone, every footfall and presence event queued (7 days)
     * expired at the step; now none does, each keeps the rest of its TTL as its MQTT expiry, and a
     * {@code gateway.alarm} tells central by how much the clock moved and which events were stamped before.
     */
    @Test
    void aClockSetForwardWhileEventsAreQueuedExpiresNoneAndCentralIsTold() throws Exception {
        rig.broker().stop();
        SteppedClock clock = new SteppedClock();
        Duration step = Duration.ofDays(8);
        try (Gateway gw = Gateway.start(TestConfigs.config(dir.resolve("gw"), rig.broker().uri(), 2_000, 0, ""), clock)) {
            Await.until(Duration.ofSeconds(60), "events queued", () -> gw.outbox().stats().committedSeq() > 300);
            Thread.sleep(2_000); // a few footfall buckets (1 s) close before the step
            long beforeStep = gw.outbox().stats().committedSeq();
            clock.step(step);
            Await.until(Duration.ofSeconds(20), "events queued after the step", () -> gw.outbox().stats().committedSeq() > beforeStep + 300);
            assertThat(gw.metrics().count("storegw_clock_steps_total")).isEqualTo(1);
            assertThat(gw.outbox().stats().oldestMillis()).as("the oldest's time on today's clock")
                    .isGreaterThan(clock.millis() - Duration.ofMinutes(5).toMillis());

            rig.broker().start();
            long committed = gw.outbox().stats().committedSeq();
            assertThat(rig.central().awaitAccountedFor(committed, Duration.ofSeconds(60)))
                    .as("missing %s", rig.central().gapSummary(committed)).isTrue();
            assertThat(rig.central().dropped()).as("dropped (expired by the step?)").isEmpty();
            List<JsonNode> alarms = rig.central().events().values().stream()
                    .filter(e -> e.path("data").path("kind").asText().equals("clock.stepped")).toList();
            assertThat(alarms).singleElement().satisfies(alarm -> {
                assertThat(alarm.path("data").path("stepMillis").asLong()).isCloseTo(step.toMillis(), Offset.offset(2_000L));
                assertThat(Long.parseLong(alarm.path("data").path("sequencesUpTo").asText())).isGreaterThanOrEqualTo(beforeStep);
            });
            List<MqttMessage> queuedFootfall = rig.central().messages().stream()
                    .filter(m -> footfallUpTo(m, beforeStep)).toList();
            assertThat(queuedFootfall).isNotEmpty().allSatisfy(m -> assertThat(m.getProperties().getMessageExpiryInterval())
                    .as("MQTT expiry (s) of footfall queued before the step").isGreaterThan(Duration.ofDays(6).toSeconds()));
        }
    }

    /**
     * A clock that ran ahead and is set back: the core loop's next tick, and the open count buckets, waited
     * for the clock to come round again. Days without a footfall bucket closed or telemetry sent, while the
     * loop kept turning on observations (so the watchdog saw nothing wrong).
     */
    @Test
    void aClockSetBackKeepsTheBucketsClosing() throws Exception {
        SteppedClock clock = new SteppedClock();
        try (Gateway gw = Gateway.start(TestConfigs.config(dir.resolve("gw"), rig.broker().uri(), 200, 0, ""), clock)) {
            Await.until(Duration.ofSeconds(30), "footfall flowing", () -> footfall().size() >= 2);
            clock.step(Duration.ofDays(-1));
            Instant setBack = clock.instant();
            Await.until(Duration.ofSeconds(20), "three footfall buckets closed after the clock was set back",
                    () -> footfall().stream().filter(e -> Instant.parse(e.path("data").path("bucketStart").asText()).isBefore(setBack.plusSeconds(60)))
                            .count() >= 3);
            Await.until(Duration.ofSeconds(20), "telemetry after the clock was set back", () -> rig.central().events().values().stream()
                    .anyMatch(e -> e.path("type").asText().equals(EventCatalogue.GATEWAY_TELEMETRY.cloudEventType())
                            && Instant.parse(e.path("time").asText()).isBefore(setBack.plusSeconds(60))));
            assertThat(gw.metrics().count("storegw_clock_steps_total")).isEqualTo(1);
        }
    }

    private List<JsonNode> footfall() {
        return rig.central().events().values().stream()
                .filter(e -> e.path("type").asText().equals(EventCatalogue.STORE_FOOTFALL.cloudEventType())).toList();
    }

    private static boolean footfallUpTo(MqttMessage m, long seq) {
        try {
            JsonNode e = CloudEventEncoder.JSON.readTree(m.getPayload());
            return e.path("type").asText().equals(EventCatalogue.STORE_FOOTFALL.cloudEventType()) && Long.parseLong(e.path("sequence").asText()) <= seq;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
