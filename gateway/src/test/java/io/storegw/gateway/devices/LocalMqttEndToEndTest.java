package io.storegw.gateway.devices;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storegw.drivers.ble.identity.SessionReferences;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.presence.PresenceCountsHandler;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store devices publish the shared example payloads to a real broker (the store's own; here the same
 * broker central listens on); the gateway's local MQTT source reads them, and central receives what
 * they mean: readings, device states, presence counts, and nothing of the bad message but a counter.
 */
class LocalMqttEndToEndTest {

    static final Path PAYLOADS = Path.of("..", "device-drivers", "src", "test", "resources", "localmqtt", "local-mqtt-payloads.json");

    @TempDir
    Path dir;

    @Test
    void devicesOnTheStoreBrokerReachCentralAsEvents() throws Exception {
        JsonNode payloads = new ObjectMapper().readTree(PAYLOADS.toFile());
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            String yaml = TestConfigs.withSources(TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, "core:\n  bucket: 1s\n  kAnonymity: 1\n")
                    .replaceAll("(?s)core:\\n  bucket: 1s\\n  telemetry: 2s\\n", ""), shelves(broker.uri(), "10s"));
            try (Central central = new Central(broker.uri(), "central-local");
                 Gateway gw = Gateway.start(ConfigLoader.parse("test.yaml", yaml, dir), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(30), "the local source subscribed", () -> gw.problem() == null);
                MqttClient device = new MqttClient(broker.uri(), "store-devices", new MemoryPersistence());
                device.connect(new MqttConnectionOptions());
                for (String entry : List.of("espresense_device", "openmqttgateway_ibeacon", "theengs_gateway_decoded")) {
                    JsonNode e = payloads.get(entry);
                    device.publish(e.get("topic").asText(), new MqttMessage(e.get("payload").toString().getBytes(StandardCharsets.UTF_8)));
                }
                device.publish("store/shelves/4/weight", new MqttMessage("{\"grams\": 812.5}".getBytes(StandardCharsets.UTF_8)));
                device.publish("store/shelves/4/weight", new MqttMessage("{\"grams\": \"lots\"}".getBytes(StandardCharsets.UTF_8)));
                device.publish("espresense/rooms/entrance/status", new MqttMessage("offline".getBytes(StandardCharsets.UTF_8)));

                Await.until(Duration.ofSeconds(30), "readings, states and counts at central", () ->
                        ofType(central, "device.reading").size() == 1 && ofType(central, "device.status").size() >= 5
                                && !ofType(central, "presence.counts").isEmpty());
                JsonNode reading = ofType(central, "device.reading").get(0).path("data");
                assertThat(reading.path("device").asText()).isEqualTo("shelf-4");
                assertThat(reading.path("values").get(0).toString()).isEqualTo("{\"quantity\":\"weight\",\"value\":\"812.5\",\"unit\":\"g\"}");
                assertThat(ofType(central, "device.status")).extracting(e -> e.path("data").path("device").asText() + " "
                        + e.path("data").path("state").asText() + " " + e.path("data").path("reason").asText())
                        .contains("espresense/entrance online heard", "OpenMQTTGateway online heard", "TheengsGateway online heard",
                                "shelf-4 online heard", "espresense/entrance offline will");
                assertThat(ofType(central, "presence.counts").toString()).contains("entrance", "OpenMQTTGateway", "TheengsGateway");
                assertThat(gw.metrics().count("storegw_bad_input_total", "source", "local-mqtt", "reason", "malformed")).isEqualTo(1);
                try (var kept = Files.list(dir.resolve("gw").resolve("local-mqtt").resolve("dead-letter"))) {
                    assertThat(kept.count()).isEqualTo(2);
                }
                // silence: the shelf says nothing more, and after offlineAfter it is reported offline
                Await.until(Duration.ofSeconds(30), "the silent shelf offline", () -> ofType(central, "device.status").stream()
                        .anyMatch(e -> e.path("data").toString().contains("\"device\":\"shelf-4\",\"state\":\"offline\",\"reason\":\"silence\"")));
                assertThat(central.messages().toString()).doesNotContain("58:78:20:76:BC:24", "c2a1f0aa12bc", "F3:52:85");
                device.disconnect();
                device.close();
            }
        }
    }

    /**
     * BLE advertising spam seen through ESPresense: more random addresses in a minute than the gateway tells apart. Past
     * {@link SessionReferences#PER_MINUTE} they are one device, counted, and the gateway's heap holds no more of them.
     */
    @Test
    void aFloodOfRandomAddressesPastTheMinutesLimitIsCountedAsOneDevice() throws Exception {
        int past = 300;
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            String yaml = TestConfigs.withSources(TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, ""), """
                      localMqtt:
                        enabled: true
                        broker: %s
                        espresense: {enabled: true, prefix: espresense}
                    """.formatted(broker.uri()));
            try (Gateway gw = Gateway.start(ConfigLoader.parse("test.yaml", yaml, dir), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(30), "the local source subscribed", () -> gw.problem() == null);
                flood(broker.uri(), SessionReferences.PER_MINUTE + past, i -> "known:%012x".formatted(0x5a0000000000L + i), 60, 40);
                Await.until(Duration.ofSeconds(30), "every sighting past the limit counted as one device",
                        () -> gw.metrics().count("storegw_ble_anonymous_merged_total") == past);
                assertThat(gw.problem()).isNull();
            }
        }
    }

    /**
     * Beacon spam seen through ESPresense: random iBeacon ids, which no session limit bounds, more than a bucket
     * counts. Central gets the bucket's counts at the limit and a {@code presence.devices} alarm saying so.
     */
    @Test
    void beaconSpamPastTheBucketsLimitIsLeftOutAndCentralIsTold() throws Exception {
        int past = 1_000; // QoS 0 on the way: a margin for any the broker drops
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            String yaml = TestConfigs.withSources(TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, "core:\n  bucket: 20s\n  kAnonymity: 1\n")
                    .replaceAll("(?s)core:\\n  bucket: 1s\\n  telemetry: 2s\\n", ""), """
                      localMqtt:
                        enabled: true
                        broker: %s
                        espresense: {enabled: true, prefix: espresense}
                    """.formatted(broker.uri()));
            try (Central central = new Central(broker.uri(), "central-beacon-spam");
                 Gateway gw = Gateway.start(ConfigLoader.parse("test.yaml", yaml, dir), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(30), "the local source subscribed", () -> gw.problem() == null);
                flood(broker.uri(), PresenceCountsHandler.MAX_DEVICES + past,
                        i -> "iBeacon:%s-%d-%d".formatted(new java.util.UUID(0x5a, i), i >>> 16, i & 0xFFFF), 20, 5);
                Await.until(Duration.ofSeconds(60), "the alarm at central", () -> !alarms(central, "presence.devices").isEmpty());
                assertThat(ofType(central, "presence.counts")).extracting(e -> e.path("data").path("receivers").get(0).path("devices").asInt())
                        .as("the flood's bucket counted up to the limit").contains(PresenceCountsHandler.MAX_DEVICES);
                assertThat(alarms(central, "presence.devices").get(0).path("data").path("detail").asText()).contains("sightings of others were left out");
                assertThat(gw.problem()).isNull();
            }
        }
    }

    /**
     * Publishes an ESPresense report from the entrance for each of {@code n} ids, paced so that no QoS 0 message is
     * dropped on the way, and started at most {@code latestStart} seconds into a bucket of {@code bucketSeconds}, so that
     * the whole flood falls in one bucket.
     */
    private static void flood(String broker, int n, IntFunction<String> id, int bucketSeconds, int latestStart)
            throws Exception {
        MqttClient spam = new MqttClient(broker, "ble-spam", new MemoryPersistence());
        spam.connect(new MqttConnectionOptions());
        long second = java.time.Instant.now().getEpochSecond() % bucketSeconds;
        if (second > latestStart) {
            Thread.sleep((bucketSeconds + 1 - second) * 1000);
        }
        for (int i = 0; i < n; i++) {
            String each = id.apply(i);
            spam.publish("espresense/devices/" + each + "/entrance",
                    ("{\"id\":\"" + each + "\",\"rssi@1m\":-59,\"rssi\":-71,\"distance\":2.1}").getBytes(StandardCharsets.UTF_8), 0, false);
            if (i % 200 == 199) {
                Thread.sleep(20);
            }
        }
        spam.disconnect();
        spam.close();
    }

    private static List<JsonNode> alarms(Central central, String kind) {
        return ofType(central, "gateway.alarm").stream().filter(e -> e.path("data").path("kind").asText().equals(kind)).toList();
    }

    /**
     * A message far larger than any device sends, retained, so that it would come again at every restart: the
     * gateway at the appliance's heap does not read it (the store's broker keeps it back, see LocalMqttSource)
     * and goes on with the next reading.
     */
    @Test
    void aHugeRetainedMessageOnTheStoreBrokerDoesNotStopTheGateway() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            try (Central central = new Central(broker.uri(), "central-local-huge")) {
                MqttClient device = new MqttClient(broker.uri(), "store-devices", new MemoryPersistence());
                device.connect(new MqttConnectionOptions());
                MqttMessage huge = new MqttMessage(("{\"grams\": \"" + "9".repeat(80 << 20) + "\"}").getBytes(StandardCharsets.US_ASCII));
                huge.setRetained(true);
                device.publish("store/shelves/9/weight", huge);
                huge = null; // the test JVM's heap, too
                Path config = Files.writeString(dir.resolve("storegw.yaml"),
                        TestConfigs.withSources(TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, ""), shelves(broker.uri(), "5m")));
                Process gateway = GatewayProcess.start(config, dir.resolve("gateway.log"));
                try {
                    Await.until(Duration.ofSeconds(60), "the gateway connected to central", () -> !central.states().isEmpty());
                    Thread.sleep(2_000); // the retained message, had it been sent, would be read by now
                    device.publish("store/shelves/4/weight", new MqttMessage("{\"grams\": 812.5}".getBytes(StandardCharsets.UTF_8)));
                    Await.until(Duration.ofSeconds(30), "the next reading at central", () -> ofType(central, "device.reading").size() == 1);
                    assertThat(gateway.isAlive()).as("the gateway is running; its log:\n%s", Files.readString(dir.resolve("gateway.log"))).isTrue();
                    assertThat(ofType(central, "device.reading").get(0).path("data").path("device").asText()).isEqualTo("shelf-4");
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\ngateway log:\n" + Files.readString(dir.resolve("gateway.log")), e);
                } finally {
                    gateway.destroy();
                    gateway.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
                    device.disconnect();
                    device.close();
                }
            }
        }
    }

    /** The local MQTT source on {@code broker}, shelves' weights mapped to readings: the lines under {@code sources:}. */
    private static String shelves(String broker, String offlineAfter) {
        return """
                  localMqtt:
                    enabled: true
                    broker: %s
                    offlineAfter: %s
                    devices:
                      - topic: store/shelves/+/weight
                        device: shelf-{2}
                        kind: shelf
                        values:
                          - {field: grams, quantity: weight, unit: g}
                """.formatted(broker, offlineAfter);
    }

    private static List<JsonNode> ofType(Central central, String type) {
        return central.events().values().stream().filter(e -> e.path("type").asText().equals("io.storegw." + type + ".v1")).toList();
    }
}
