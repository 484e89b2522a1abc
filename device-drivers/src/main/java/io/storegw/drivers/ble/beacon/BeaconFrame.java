package io.storegw.drivers.ble.beacon;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One beacon frame decoded from an advertisement. {@link #fields()} gives it under the stable names
 * that {@code storegw ble decode --json} prints and that later layers key on.
 */
public sealed interface BeaconFrame {

    /** The frame's kind: {@code ibeacon}, {@code altbeacon}, {@code eddystone-uid}, ... */
    String type();

    /** The frame's fields under their stable names, {@code type} first; absent values are left out. */
    Map<String, Object> fields();

    private static Map<String, Object> start(String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        return m;
    }

    /** Apple iBeacon: company 0x004C, type 0x02, length 0x15. */
    record IBeacon(UUID uuid, int major, int minor, int txPower) implements BeaconFrame {
        @Override
        public String type() {
            return "ibeacon";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            m.put("uuid", uuid.toString());
            m.put("major", major);
            m.put("minor", minor);
            m.put("txPower", txPower);
            return m;
        }
    }

    /** AltBeacon: code 0xBEAC under any company id; {@code txPower} is the reference RSSI at 1 m. */
    record AltBeacon(int companyId, UUID uuid, int id2, int id3, int txPower, int reserved) implements BeaconFrame {
        @Override
        public String type() {
            return "altbeacon";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            m.put("companyId", companyId);
            m.put("uuid", uuid.toString());
            m.put("id2", id2);
            m.put("id3", id3);
            m.put("txPower", txPower);
            m.put("reserved", reserved);
            return m;
        }
    }

    /** Eddystone-UID: a 10-byte namespace and a 6-byte instance, as lower-case hex. */
    record EddystoneUid(int txPower, String namespace, String instance) implements BeaconFrame {
        @Override
        public String type() {
            return "eddystone-uid";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            m.put("txPower", txPower);
            m.put("namespace", namespace);
            m.put("instance", instance);
            return m;
        }
    }

    /** Eddystone-URL, with the URL expanded. */
    record EddystoneUrl(int txPower, String url) implements BeaconFrame {
        @Override
        public String type() {
            return "eddystone-url";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            m.put("txPower", txPower);
            m.put("url", url);
            return m;
        }
    }

    /** UriBeacon (service 0xFED8), Eddystone-URL's predecessor with the same URL encoding; still deployed. */
    record UriBeacon(int flags, int txPower, String url) implements BeaconFrame {
        @Override
        public String type() {
            return "uribeacon";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            m.put("flags", flags);
            m.put("txPower", txPower);
            m.put("url", url);
            return m;
        }
    }

    /**
     * Eddystone-TLM, unencrypted (version 0), or decrypted from an eTLM frame.
     *
     * @param batteryMv          battery voltage, or {@code null} when the beacon has none (sent as 0)
     * @param temperatureC       8.8 fixed point, or {@code null} when not supported (sent as 0x8000)
     * @param uptimeDeciseconds  time since power-on or reboot, in units of 0.1 s
     */
    record EddystoneTlm(Integer batteryMv, Double temperatureC, long advCount, long uptimeDeciseconds)
            implements BeaconFrame {
        @Override
        public String type() {
            return "eddystone-tlm";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            if (batteryMv != null) {
                m.put("batteryMv", batteryMv);
            }
            if (temperatureC != null) {
                m.put("temperatureC", temperatureC);
            }
            m.put("advCount", advCount);
            m.put("uptimeS", uptimeDeciseconds / 10.0);
            return m;
        }
    }

    /**
     * Eddystone-TLM encrypted (version 1): 12 bytes of AES-EAX ciphertext, a 16-bit salt and a 16-bit tag.
     *
     * @param truncated the AD structure ended before the salt and tag; the frame cannot be decrypted
     */
    record EddystoneEncryptedTlm(byte[] ciphertext, int salt, int mic, boolean truncated) implements BeaconFrame {
        @Override
        public String type() {
            return "eddystone-etlm";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            m.put("etlm", HexFormat.of().formatHex(ciphertext));
            if (truncated) {
                m.put("truncated", true);
            } else {
                m.put("salt", salt);
                m.put("mic", mic);
            }
            return m;
        }
    }

    /** Eddystone-EID: an 8-byte ephemeral identifier, resolvable only with the beacon's identity key. */
    record EddystoneEid(int txPower, long eid) implements BeaconFrame {
        @Override
        public String type() {
            return "eddystone-eid";
        }

        public String eidHex() {
            return HexFormat.of().toHexDigits(eid);
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            m.put("txPower", txPower);
            m.put("eid", eidHex());
            return m;
        }
    }

    /** A frame that announced a known format but broke its rules (too short, a reserved URL byte, ...). */
    record Malformed(String format, String reason) implements BeaconFrame {
        @Override
        public String type() {
            return "malformed";
        }

        @Override
        public Map<String, Object> fields() {
            Map<String, Object> m = start(type());
            m.put("format", format);
            m.put("reason", reason);
            return m;
        }
    }
}
