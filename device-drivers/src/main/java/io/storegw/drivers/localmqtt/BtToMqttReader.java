package io.storegw.drivers.localmqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.BleFormatException;
import io.storegw.drivers.ble.BleSightings;
import io.storegw.drivers.ble.beacon.BeaconDecoder;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.json.StrictJson;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.DeviceStatus;
import io.storegw.drivers.observation.Observation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * OpenMQTTGateway and Theengs Gateway: {@code {root}/{gateway}/BTtoMQTT/{address}} become BLE
 * sightings with the gateway as receiver, {@code {root}/{gateway}/LWT} its state. A decoded iBeacon
 * ({@code model_id} {@code IBEACON}) is taken as decoded; raw {@code manufacturerdata} and
 * {@code servicedata} go through storegw's own decoders; anything else is an anonymous device. The
 * address in the topic and the {@code id} field never leave this class.
 */
final class BtToMqttReader implements TopicReader {

    private static final String BLUETOOTH_BASE_UUID_TAIL = "-0000-1000-8000-00805f9b34fb";

    private final String root;
    private final IdentityResolver identities;

    BtToMqttReader(String root, IdentityResolver identities) {
        this.root = root;
        this.identities = identities;
    }

    @Override
    public String filter() {
        return root + "/#";
    }

    @Override
    public String deviceOf(String topic) {
        String[] levels = topic.split("/");
        return levels.length >= 3 && (levels[2].equals("BTtoMQTT") || levels[2].equals("LWT")) ? levels[1] : null;
    }

    @Override
    public List<Observation> read(String topic, byte[] payload, Instant at) throws BadMessage {
        String[] levels = topic.split("/");
        if (levels.length == 3 && levels[2].equals("LWT")) {
            String state = new String(payload, StandardCharsets.UTF_8).strip().toLowerCase(Locale.ROOT);
            return switch (state) {
                case "online" -> List.of(new DeviceStatus(at, levels[1], DeviceStatus.State.ONLINE, "will"));
                case "offline" -> List.of(new DeviceStatus(at, levels[1], DeviceStatus.State.OFFLINE, "will"));
                default -> throw new BadMessage("malformed", "LWT '" + state + "' is neither online nor offline");
            };
        }
        if (levels.length != 4 || !levels[2].equals("BTtoMQTT") || levels[3].equals("undecoded")) {
            return List.of();
        }
        JsonNode report = TopicReader.json(payload);
        if (report.has("presence") || !report.path("rssi").isNumber()) {
            return List.of(); // Theengs' presence summaries, and reports without a signal to place
        }
        List<BeaconFrame> frames = frames(report);
        BleAddress address = address(StrictJson.text(report, "id"));
        return BleSightings.of(at, levels[1], report.path("rssi").asInt(), frames, identities.resolve(address, frames, at));
    }

    private static List<BeaconFrame> frames(JsonNode report) throws BadMessage {
        try {
            String uuidText = StrictJson.text(report, "uuid");
            if ("IBEACON".equals(StrictJson.text(report, "model_id")) && uuidText != null) {
                String hex = uuidText.replace("-", "");
                UUID uuid = UUID.fromString(hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
                return List.of(new BeaconFrame.IBeacon(uuid, report.path("major").asInt(), report.path("minor").asInt(),
                        report.path("txpower").asInt(-59)));
            }
            String mfg = StrictJson.text(report, "manufacturerdata");
            String service = StrictJson.text(report, "servicedata");
            String serviceUuid = StrictJson.text(report, "servicedatauuid");
            Map<Integer, byte[]> manufacturer = Map.of();
            Map<String, byte[]> services = Map.of();
            if (mfg != null) {
                byte[] b = HexFormat.of().parseHex(mfg);
                if (b.length >= 2) {
                    // the first two bytes are the company id, little-endian, as on air
                    manufacturer = Map.of((b[0] & 0xFF) | (b[1] & 0xFF) << 8, java.util.Arrays.copyOfRange(b, 2, b.length));
                }
            }
            if (service != null && serviceUuid != null) {
                services = Map.of(uuidOf(serviceUuid), HexFormat.of().parseHex(service));
            }
            return BeaconDecoder.decodeBlueZ(manufacturer, services).stream()
                    .filter(f -> !(f instanceof BeaconFrame.Malformed)).toList();
        } catch (IllegalArgumentException e) {
            throw new BadMessage("malformed", "beacon fields that do not parse: " + e.getMessage());
        }
    }

    /** {@code 0xfeaa} and {@code feaa} are 16-bit UUIDs on the Bluetooth base; a full UUID stays as it is. */
    private static String uuidOf(String text) {
        String t = text.toLowerCase(Locale.ROOT).replaceFirst("^0x", "");
        return t.length() == 4 ? "0000" + t + BLUETOOTH_BASE_UUID_TAIL : t.length() == 8 ? t + BLUETOOTH_BASE_UUID_TAIL : t;
    }

    private static BleAddress address(String id) {
        try {
            return id != null && id.length() == 17 ? BleAddress.parse(id, false) : BleAddress.parse("00:00:00:00:00:00", false);
        } catch (BleFormatException e) {
            return BleAddress.parse("00:00:00:00:00:00", false);
        }
    }
}
