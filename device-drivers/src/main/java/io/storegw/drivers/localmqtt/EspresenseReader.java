package io.storegw.drivers.localmqtt;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.BleFormatException;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.identity.Identity;
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
 * ESPresense room nodes: {@code {prefix}/devices/{id}/{room}} reports become BLE sightings with the
 * room as the receiver, and {@code {prefix}/rooms/{room}/status} ({@code online}, or the node's Will
 * {@code offline}) its state. ESPresense names what it hears by fingerprint ids; these map onto
 * storegw's identities:
 * <ul>
 * <li>{@code iBeacon:UUID-MAJOR-MINOR} and {@code altBeacon:...} as the beacon frames they stand for,
 *     through the identity resolver (so an app beacon is a member, a shelf beacon a fixed beacon);</li>
 * <li>{@code eddy:NAMESPACE-INSTANCE}, an Eddystone UID; ESPresense prints the namespace's fifth byte
 *     twice (22 hex digits instead of 20), which is undone here;</li>
 * <li>{@code irk:HEX}, a phone whose IRK the node resolved, is staff when the IRK is a staff one;</li>
 * <li>everything else ({@code apple:}, {@code name:}, {@code known:MAC}, ...) is anonymous: counted,
 *     never followed, and no address goes further.</li>
 * </ul>
 */
final class EspresenseReader implements TopicReader {

    private final String prefix;
    private final IdentityResolver identities;
    private final Map<String, String> staffByIrk;

    /** @param staffByIrk staff id by IRK, 32 hex digits in either byte order */
    EspresenseReader(String prefix, IdentityResolver identities, Map<String, String> staffByIrk) {
        this.prefix = prefix;
        this.identities = identities;
        this.staffByIrk = Map.copyOf(staffByIrk);
    }

    @Override
    public String filter() {
        return prefix + "/#";
    }

    @Override
    public String deviceOf(String topic) {
        String[] levels = levels(topic);
        if (levels.length == 3 && levels[0].equals("devices")) {
            return "espresense/" + levels[2];
        }
        if (levels.length >= 2 && levels[0].equals("rooms")) {
            return "espresense/" + levels[1];
        }
        return null;
    }

    @Override
    public List<Observation> read(String topic, byte[] payload, Instant at) throws BadMessage {
        String[] levels = levels(topic);
        if (levels.length == 3 && levels[0].equals("rooms") && levels[2].equals("status")) {
            String state = new String(payload, StandardCharsets.UTF_8).strip();
            return switch (state) {
                case "online" -> List.of(new DeviceStatus(at, deviceOf(topic), DeviceStatus.State.ONLINE, "will"));
                case "offline" -> List.of(new DeviceStatus(at, deviceOf(topic), DeviceStatus.State.OFFLINE, "will"));
                default -> throw new BadMessage("malformed", "status '" + state + "' is neither online nor offline");
            };
        }
        if (levels.length != 3 || !levels[0].equals("devices")) {
            return List.of(); // telemetry, settings, the node's own sensors
        }
        JsonNode report = TopicReader.json(payload);
        JsonNode rssi = report.path("rssi");
        if (!rssi.isNumber()) {
            throw new BadMessage("malformed", "no rssi in the device report");
        }
        String id = StrictJson.text(report, "id") != null ? StrictJson.text(report, "id") : levels[1];
        JsonNode calibrated = report.path("rssi@1m");
        Integer txPower = calibrated.isNumber() ? (Integer) (int) Math.round(calibrated.asDouble()) : null;
        return List.of(new BleSighting(at, levels[2], identity(id, report, at), (int) Math.round(rssi.asDouble()), txPower));
    }

    /** The identity key a fingerprint id stands for; the levels are relative to the prefix: {@code devices/{id}/{room}}. */
    String identity(String id, JsonNode report, Instant at) throws BadMessage {
        int colon = id.indexOf(':');
        String kind = colon < 0 ? "" : id.substring(0, colon).toLowerCase(Locale.ROOT);
        String value = colon < 0 ? id : id.substring(colon + 1);
        try {
            BeaconFrame frame = switch (kind) {
                case "ibeacon" -> {
                    Triple t = triple(value);
                    yield new BeaconFrame.IBeacon(t.uuid(), t.id2(), t.id3(), report.path("rssi@1m").asInt(-59));
                }
                case "altbeacon" -> {
                    Triple t = triple(value);
                    yield new BeaconFrame.AltBeacon(0xFFFF, t.uuid(), t.id2(), t.id3(), report.path("rssi@1m").asInt(-59), 0);
                }
                case "eddy" -> eddystoneUid(value);
                default -> null;
            };
            if (frame != null) {
                return identities.resolve(address(report), List.of(frame), at).identity().key();
            }
        } catch (IllegalArgumentException | BleFormatException e) {
            throw new BadMessage("unknown-id", "fingerprint id '" + id + "' is not a well-formed " + kind + " id: " + e.getMessage());
        }
        if (kind.equals("irk")) {
            String staff = staffByIrk.get(value.toLowerCase(Locale.ROOT));
            return staff != null ? new Identity.Staff(staff).key() : identities.anonymous("espresense:" + id, at).key();
        }
        return identities.anonymous("espresense:" + id, at).key();
    }

    private record Triple(UUID uuid, int id2, int id3) {
    }

    /** {@code UUID-MAJOR-MINOR}: the UUID has dashes of its own, so the last two fields are the numbers. */
    private static Triple triple(String value) {
        int last = value.lastIndexOf('-');
        int second = value.lastIndexOf('-', last - 1);
        if (second < 0) {
            throw new IllegalArgumentException("expected UUID-MAJOR-MINOR");
        }
        int id2 = Integer.parseInt(value.substring(second + 1, last));
        int id3 = Integer.parseInt(value.substring(last + 1));
        if (id2 < 0 || id2 > 0xFFFF || id3 < 0 || id3 > 0xFFFF) {
            throw new IllegalArgumentException("major and minor are 0 to 65535");
        }
        return new Triple(UUID.fromString(value.substring(0, second)), id2, id3);
    }

    /** ESPresense writes namespace bytes 0..4, byte 4 again, then 5..9: 22 hex digits, then the 12-digit instance. */
    private static BeaconFrame.EddystoneUid eddystoneUid(String value) {
        String[] parts = value.toLowerCase(Locale.ROOT).split("-");
        if (parts.length != 2 || parts[1].length() != 12 || !(parts[0].length() == 22 || parts[0].length() == 20)) {
            throw new IllegalArgumentException("expected NAMESPACE-INSTANCE in hex");
        }
        String ns = parts[0];
        if (ns.length() == 22) {
            if (!ns.substring(8, 10).equals(ns.substring(10, 12))) {
                throw new IllegalArgumentException("22-digit namespace without ESPresense's repeated fifth byte");
            }
            ns = ns.substring(0, 10) + ns.substring(12);
        }
        HexFormat.of().parseHex(ns);
        HexFormat.of().parseHex(parts[1]);
        return new BeaconFrame.EddystoneUid(0, ns, parts[1]); // power comes from the report's rssi@1m
    }

    private static BleAddress address(JsonNode report) {
        String mac = StrictJson.text(report, "mac");
        if (mac != null && mac.matches("[0-9a-fA-F]{12}")) {
            return BleAddress.parse(mac.replaceAll("(..)(?!$)", "$1:"), false);
        }
        return BleAddress.parse("00:00:00:00:00:00", false);
    }

    private String[] levels(String topic) {
        return topic.substring(prefix.length() + 1).split("/");
    }
}
