package io.storegw.drivers.localmqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.DeviceReading;
import io.storegw.drivers.observation.DeviceStatus;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.RecordingSink;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers on the shared payloads (see localmqtt/SOURCES.txt), fed directly; the broker path is tested in the gateway. */
class LocalMqttReadersTest {

    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final String STAFF_IRK = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;
    final RecordingSink sink = new RecordingSink();
    LocalMqttSource source;
    JsonNode payloads;

    static LocalMqttSource.Settings settings(String broker, Path deadLetter, List<DeviceMapping> devices) {
        return new LocalMqttSource.Settings(broker, "storegw-local-test", null, null, "espresense", "home", devices,
                Duration.ofMinutes(5), deadLetter);
    }

    static final List<DeviceMapping> SHELVES = List.of(
            new DeviceMapping("store/shelves/+/weight", "shelf-{2}", "shelf",
                    List.of(new DeviceMapping.Field("data.grams", "weight", "g"), new DeviceMapping.Field("door", "open", null))),
            new DeviceMapping("store/kiosks/+/touch", "kiosk-{2}", "kiosk", List.of(new DeviceMapping.Field(null, "touches", null))));

    @BeforeEach
    void load() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/localmqtt/local-mqtt-payloads.json")) {
            payloads = new ObjectMapper().readTree(in);
        }
        source = new LocalMqttSource(settings("tcp://127.0.0.1:1", dir.resolve("dead"), SHELVES),
                new IdentityResolver(IdentityResolver.Settings.defaults(), List.of()), Map.of(STAFF_IRK, "anna"),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    List<Observation> feed(String topic, String payload) throws Exception {
        int before = sink.taken.size();
        source.onMessage(topic, payload.getBytes(StandardCharsets.UTF_8), sink);
        return sink.taken.subList(before, sink.taken.size());
    }

    List<Observation> feed(String entry) throws Exception {
        JsonNode e = payloads.get(entry);
        return feed(e.get("topic").asText(), e.get("payload").toString());
    }

    @Test
    void espresenseDeviceReportIsASightingInItsRoom() throws Exception {
        assertThat(feed("espresense_device")).containsExactly(
                new DeviceStatus(NOW, "espresense/entrance", DeviceStatus.State.ONLINE, "heard"),
                new BleSighting(NOW, "entrance", "ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/100/42", -71, -59));
        // the room is known now: the next report is only a sighting
        assertThat(feed("espresense_device")).singleElement().isInstanceOf(BleSighting.class);
        assertThat(sink.taken.toString()).doesNotContain("c2a1f0aa12bc", "loyalty-app");
    }

    @Test
    void espresenseIdFormsMapOntoIdentities() throws Exception {
        String eddy = "{\"id\":\"eddy:00112233444455667788aa-0102030405ff\",\"rssi\":-80,\"rssi@1m\":-61}";
        assertThat(feed("espresense/devices/eddy:00112233444455667788aa-0102030405ff/aisle-3", eddy))
                .filteredOn(BleSighting.class::isInstance).extracting(o -> ((BleSighting) o).advertiser())
                .containsExactly("eddystone-uid:001122334455667788aa/0102030405ff");
        assertThat(feed("espresense/devices/irk:" + STAFF_IRK + "/aisle-3", "{\"id\":\"irk:" + STAFF_IRK + "\",\"rssi\":-70}"))
                .extracting(o -> ((BleSighting) o).advertiser()).containsExactly("staff:anna");
        assertThat(feed("espresense/devices/irk:ffffffffffffffffffffffffffffffff/aisle-3", "{\"rssi\":-70}"))
                .extracting(o -> ((BleSighting) o).advertiser()).containsExactly("anonymous");
        assertThat(feed("espresense/devices/known:c2a1f0aa12bc/aisle-3", "{\"id\":\"known:c2a1f0aa12bc\",\"rssi\":-70}"))
                .extracting(o -> ((BleSighting) o).advertiser()).containsExactly("anonymous");
        assertThat(feed("espresense/devices/iBeacon:not-a-uuid-1-2/aisle-3", "{\"id\":\"iBeacon:not-a-uuid-1-2\",\"rssi\":-70}")).isEmpty();
        assertThat(sink.refused).containsEntry("local-mqtt/unknown-id", 1);
        assertThat(sink.refusals).singleElement().asString().doesNotContain("not-a-uuid");
    }

    @Test
    void espresenseRoomStatusAndSilence() throws Exception {
        assertThat(feed("espresense/rooms/entrance/status", "online"))
                .containsExactly(new DeviceStatus(NOW, "espresense/entrance", DeviceStatus.State.ONLINE, "will"));
        assertThat(feed("espresense/rooms/entrance/status", "online")).as("no change, nothing said").isEmpty();
        assertThat(feed("espresense/rooms/entrance/status", "offline"))
                .containsExactly(new DeviceStatus(NOW, "espresense/entrance", DeviceStatus.State.OFFLINE, "will"));
        assertThat(feed("espresense/rooms/entrance/telemetry", "{\"uptime\":12}"))
                .containsExactly(new DeviceStatus(NOW, "espresense/entrance", DeviceStatus.State.ONLINE, "heard"));
        Liveness l = new Liveness(Duration.ofMinutes(5));
        l.heard("shelf-1", NOW);
        assertThat(l.sweep(NOW.plus(Duration.ofMinutes(4)))).isEmpty();
        assertThat(l.sweep(NOW.plus(Duration.ofMinutes(6))))
                .containsExactly(new DeviceStatus(NOW.plus(Duration.ofMinutes(6)), "shelf-1", DeviceStatus.State.OFFLINE, "silence"));
        assertThat(l.sweep(NOW.plus(Duration.ofMinutes(7)))).isEmpty();
        assertThat(l.heard("shelf-1", NOW.plus(Duration.ofMinutes(8))).state()).isEqualTo(DeviceStatus.State.ONLINE);
        // NTP sets back a clock that ran an hour ahead just after shelf-1's last message: offline 5 minutes on, not 65
        Instant back = NOW.plus(Duration.ofMinutes(8)).minus(Duration.ofHours(1));
        assertThat(l.sweep(back)).isEmpty();
        assertThat(l.sweep(back.plus(Duration.ofMinutes(6))))
                .containsExactly(new DeviceStatus(back.plus(Duration.ofMinutes(6)), "shelf-1", DeviceStatus.State.OFFLINE, "silence"));
    }

    /** Device ids come from topics: a publisher making up new ones must not grow the gateway's memory without end. */
    @Test
    void atMostMaxDevicesAreFollowedAndOnesLongOfflineAreForgotten() {
        int[] untracked = new int[1];
        Liveness l = new Liveness(Duration.ofMinutes(5), () -> untracked[0]++);
        for (int i = 0; i < Liveness.MAX_DEVICES; i++) {
            assertThat(l.heard("espresense/room-" + i, NOW)).isNotNull();
        }
        assertThat(l.heard("espresense/one-too-many", NOW)).as("past the limit: no status").isNull();
        assertThat(l.said(new DeviceStatus(NOW, "espresense/another", DeviceStatus.State.ONLINE, "will"))).isNull();
        assertThat(untracked[0]).isEqualTo(2);
        assertThat(l.heard("espresense/room-7", NOW.plusSeconds(60))).as("a followed device is still followed").isNull();
        assertThat(l.sweep(NOW.plus(Duration.ofMinutes(6)))).hasSize(Liveness.MAX_DEVICES - 1); // room-7 heard a minute later
        assertThat(l.sweep(NOW.plus(Duration.ofMinutes(7)))).containsExactly(
                new DeviceStatus(NOW.plus(Duration.ofMinutes(7)), "espresense/room-7", DeviceStatus.State.OFFLINE, "silence"));
        l.sweep(NOW.plus(Liveness.FORGET_AFTER).plus(Duration.ofMinutes(8))); // a day offline: forgotten
        assertThat(l.heard("espresense/one-too-many", NOW.plus(Liveness.FORGET_AFTER).plus(Duration.ofMinutes(9)))).as("room for it now")
                .isEqualTo(new DeviceStatus(NOW.plus(Liveness.FORGET_AFTER).plus(Duration.ofMinutes(9)), "espresense/one-too-many",
                        DeviceStatus.State.ONLINE, "heard"));
        assertThat(l.heard("espresense/room-3", NOW.plus(Liveness.FORGET_AFTER).plus(Duration.ofMinutes(10))))
                .as("a forgotten device that comes back is online again").isNotNull();
    }

    @Test
    void openMqttGatewayAndTheengsReports() throws Exception {
        assertThat(feed("openmqttgateway_ibeacon")).containsExactly(
                new DeviceStatus(NOW, "OpenMQTTGateway", DeviceStatus.State.ONLINE, "heard"),
                new BleSighting(NOW, "OpenMQTTGateway", "ibeacon:1de4b189-115e-45f6-b44e-509352269977/0/0", -79, -66));
        // raw manufacturer data through our own decoder: an iBeacon frame 4c00 0215 ...
        String raw = "{\"id\":\"54:94:5E:9F:64:C4\",\"rssi\":-74,\"manufacturerdata\":\"4c000215e5b9e3a627e24c36a2577698da5fc1400064002ac5\"}";
        assertThat(feed("home/TheengsGateway/BTtoMQTT/54945E9F64C4", raw)).filteredOn(BleSighting.class::isInstance)
                .containsExactly(new BleSighting(NOW, "TheengsGateway", "ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/100/42", -74, -59));
        // the shared undecoded sample is an Apple "nearby" frame, not a beacon: an anonymous device
        JsonNode undecoded = payloads.get("theengs_gateway_undecoded_input").get("payload");
        assertThat(feed("home/TheengsGateway/BTtoMQTT/54945E9F64C4", undecoded.toString()))
                .extracting(o -> ((BleSighting) o).advertiser()).containsExactly("anonymous");
        assertThat(feed("theengs_gateway_decoded")).extracting(o -> ((BleSighting) o).advertiser()).containsExactly("anonymous");
        assertThat(feed("openmqttgateway_generic")).filteredOn(BleSighting.class::isInstance)
                .extracting(o -> ((BleSighting) o).advertiser()).containsExactly("anonymous");
        assertThat(feed("home/OpenMQTTGateway/LWT", "offline"))
                .containsExactly(new DeviceStatus(NOW, "OpenMQTTGateway", DeviceStatus.State.OFFLINE, "will"));
        assertThat(feed("home/TheengsGateway/BTtoMQTT/F35285", "{\"id\":\"F3:52:85\",\"presence\":\"present\"}")).isEmpty();
        assertThat(sink.taken.toString()).doesNotContain("58:78:20", "54:94:5E", "F3:52:85", "45:e1:74");
    }

    @Test
    void mappedDevicesBecomeReadings() throws Exception {
        assertThat(feed("store/shelves/7/weight", "{\"data\":{\"grams\":1250.5},\"door\":false}")).containsExactly(
                new DeviceStatus(NOW, "shelf-7", DeviceStatus.State.ONLINE, "heard"),
                new DeviceReading(NOW, "shelf-7", "shelf", List.of(new DeviceReading.Value("weight", new BigDecimal("1250.5"), "g"),
                        new DeviceReading.Value("open", BigDecimal.ZERO, null))));
        assertThat(feed("store/kiosks/2/touch", "anything, even not JSON")).filteredOn(DeviceReading.class::isInstance)
                .containsExactly(new DeviceReading(NOW, "kiosk-2", "kiosk", List.of(new DeviceReading.Value("touches", BigDecimal.ONE, null))));
    }

    @Test
    void badMessagesAreCountedKeptAndSkipped() throws Exception {
        assertThat(feed("store/shelves/7/weight", "{\"data\":{\"grams\":\"heavy\"},\"door\":true}")).isEmpty();
        assertThat(feed("store/shelves/7/weight", "{\"door\":true}")).isEmpty();
        assertThat(feed("store/shelves/7/weight", "{\"data\": {")).isEmpty();
        assertThat(feed("espresense/devices/x/entrance", "[" .repeat(100))).isEmpty();
        assertThat(feed("espresense/devices/x/entrance", "{\"id\":\"x\"}")).isEmpty();
        assertThat(sink.refused).containsEntry("local-mqtt/malformed", 4).containsEntry("local-mqtt/missing-field", 1);
        // what is logged and shown in storegw status: the store's own devices by topic and reason; a shopper's
        // device only by the reader's filter, for a fingerprint id can be a phone's address or IRK (docs/privacy.md)
        assertThat(sink.refusals.get(0)).isEqualTo("topic store/shelves/7/weight: data.grams: 'heavy' is not a number, kept in " + dir.resolve("dead"));
        assertThat(sink.refusals.subList(3, 5)).containsOnly("a message on espresense/#, kept in " + dir.resolve("dead"));
        try (var files = Files.list(dir.resolve("dead"))) {
            List<Path> kept = files.sorted().toList();
            assertThat(kept).hasSize(10);
            assertThat(kept.stream().filter(p -> p.toString().endsWith(".reason")).map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).anyMatch(r -> r.contains("topic store/shelves/7/weight: data.grams: 'heavy' is not a number"))
                    .anyMatch(r -> r.contains("no data.grams in the message"))
                    .anyMatch(r -> r.contains("nesting depth"));
        }
        // the pipeline goes on
        assertThat(feed("store/shelves/7/weight", "{\"data\":{\"grams\":10},\"door\":true}")).filteredOn(DeviceReading.class::isInstance).hasSize(1);
    }

    /** A broker's DISCONNECT without a reason string (Mosquitto's) is named by its code, never "null". */
    @Test
    void aDisconnectIsNamedEvenWithoutAReasonString() {
        assertThat(LocalMqttSource.why(new org.eclipse.paho.mqttv5.client.MqttDisconnectResponse(0x8E, null, null, null)))
                .startsWith("session taken over (142)");
        assertThat(LocalMqttSource.why(new org.eclipse.paho.mqttv5.client.MqttDisconnectResponse(0x8B, null, null, null)))
                .isEqualTo("reason code 139");
        assertThat(LocalMqttSource.why(new org.eclipse.paho.mqttv5.client.MqttDisconnectResponse(0x8B, "shutting down", null, null)))
                .isEqualTo("shutting down");
    }
}
