package io.storegw.drivers.ble.beacon;

import io.storegw.drivers.ble.Bytes;
import io.storegw.drivers.ble.ad.AdStructures;
import io.storegw.drivers.ble.ad.Advertisement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns advertising data into beacon frames. Never throws on content: a frame that breaks its format
 * becomes {@link BeaconFrame.Malformed}, so one bad advertiser cannot stop a scan. Reserved bits are
 * masked, trailing bytes after a frame are ignored.
 */
public final class BeaconDecoder {

    public static final int APPLE = 0x004C;
    public static final UUID EDDYSTONE = Bytes.uuidOf(0xFEAA);
    public static final UUID URIBEACON = Bytes.uuidOf(0xFED8);

    private BeaconDecoder() {
    }

    /** Frames in raw advertising data (AD structures, as in an HCI report or a scan response). */
    public static List<BeaconFrame> decode(byte[] advertisingData) {
        return decode(AdStructures.parse(advertisingData));
    }

    /**
     * Frames in BlueZ's form of an advertisement: {@code ManufacturerData} keyed by company id and
     * {@code ServiceData} keyed by UUID string, as the Device1 D-Bus properties carry them.
     */
    public static List<BeaconFrame> decodeBlueZ(Map<Integer, byte[]> manufacturerData, Map<String, byte[]> serviceData) {
        List<Advertisement.ManufacturerData> mfg = new ArrayList<>(manufacturerData.size());
        manufacturerData.forEach((company, data) -> mfg.add(new Advertisement.ManufacturerData(company & 0xFFFF, data)));
        List<Advertisement.ServiceData> services = new ArrayList<>(serviceData.size());
        List<BeaconFrame> frames = new ArrayList<>(1);
        serviceData.forEach((uuid, data) -> {
            try {
                services.add(new Advertisement.ServiceData(UUID.fromString(uuid), data));
            } catch (IllegalArgumentException e) {
                frames.add(new BeaconFrame.Malformed("service-data", "not a UUID: '" + uuid + "'"));
            }
        });
        frames.addAll(decode(new Advertisement(null, List.of(), null, null, services, mfg, false)));
        return frames;
    }

    /** Frames in a parsed advertisement, manufacturer data first, then service data, in their order. */
    public static List<BeaconFrame> decode(Advertisement ad) {
        List<BeaconFrame> frames = new ArrayList<>(1);
        for (Advertisement.ManufacturerData m : ad.manufacturerData()) {
            BeaconFrame f = manufacturer(m.companyId(), m.data());
            if (f != null) {
                frames.add(f);
            }
        }
        for (Advertisement.ServiceData s : ad.serviceData()) {
            if (s.uuid().equals(EDDYSTONE)) {
                frames.add(eddystone(s.data()));
            } else if (s.uuid().equals(URIBEACON)) {
                frames.add(uriBeacon(s.data()));
            }
        }
        return frames;
    }

    /** iBeacon or AltBeacon in manufacturer data (after the company id), or null for anything else. */
    static BeaconFrame manufacturer(int companyId, byte[] d) {
        if (companyId == APPLE && d.length >= 2 && d[0] == 0x02 && d[1] == 0x15) {
            if (d.length < 23) {
                return new BeaconFrame.Malformed("ibeacon", "needs 23 bytes after the company id, has " + d.length);
            }
            return new BeaconFrame.IBeacon(Bytes.uuidBe(d, 2), Bytes.u16be(d, 18), Bytes.u16be(d, 20), Bytes.s8(d, 22));
        }
        if (d.length >= 2 && (d[0] & 0xFF) == 0xBE && (d[1] & 0xFF) == 0xAC) {
            if (d.length < 24) {
                return new BeaconFrame.Malformed("altbeacon", "needs 24 bytes after the company id, has " + d.length);
            }
            return new BeaconFrame.AltBeacon(companyId, Bytes.uuidBe(d, 2), Bytes.u16be(d, 18), Bytes.u16be(d, 20),
                    Bytes.s8(d, 22), Bytes.u8(d, 23));
        }
        return null;
    }

    /** An Eddystone frame (service data of 0xFEAA after the UUID). */
    static BeaconFrame eddystone(byte[] d) {
        if (d.length < 1) {
            return new BeaconFrame.Malformed("eddystone", "empty service data");
        }
        int frameType = d[0] & 0xF0; // the low nibble is reserved
        return switch (frameType) {
            case 0x00 -> d.length < 18
                    ? new BeaconFrame.Malformed("eddystone-uid", "needs 18 bytes, has " + d.length)
                    : new BeaconFrame.EddystoneUid(d[1], Bytes.hex(d, 2, 12), Bytes.hex(d, 12, 18));
            case 0x10 -> d.length < 3
                    ? new BeaconFrame.Malformed("eddystone-url", "needs at least 3 bytes, has " + d.length)
                    : url("eddystone-url", d, 2, url -> new BeaconFrame.EddystoneUrl(d[1], url));
            case 0x20 -> tlm(d);
            case 0x30 -> d.length < 10
                    ? new BeaconFrame.Malformed("eddystone-eid", "needs 10 bytes, has " + d.length)
                    : new BeaconFrame.EddystoneEid(d[1], Bytes.u64be(d, 2));
            default -> new BeaconFrame.Malformed("eddystone", "unknown frame type 0x%02x".formatted(d[0] & 0xFF));
        };
    }

    private static BeaconFrame tlm(byte[] d) {
        if (d.length < 2) {
            return new BeaconFrame.Malformed("eddystone-tlm", "no version byte");
        }
        return switch (d[1]) {
            case 0x00 -> d.length < 14
                    ? new BeaconFrame.Malformed("eddystone-tlm", "needs 14 bytes, has " + d.length)
                    : plainTlm(d, 2);
            case 0x01 -> {
                if (d.length < 14) {
                    yield new BeaconFrame.Malformed("eddystone-etlm", "needs 18 bytes, has " + d.length);
                }
                byte[] ciphertext = Arrays.copyOfRange(d, 2, 14);
                yield d.length < 18
                        ? new BeaconFrame.EddystoneEncryptedTlm(ciphertext, 0, 0, true)
                        : new BeaconFrame.EddystoneEncryptedTlm(ciphertext, Bytes.u16be(d, 14), Bytes.u16be(d, 16), false);
            }
            default -> new BeaconFrame.Malformed("eddystone-tlm", "unknown TLM version " + (d[1] & 0xFF));
        };
    }

    /** The 12 bytes of telemetry at {@code at}: battery, temperature, advertisement count, uptime. */
    public static BeaconFrame.EddystoneTlm plainTlm(byte[] d, int at) {
        int battery = Bytes.u16be(d, at);
        int rawTemperature = Bytes.u16be(d, at + 2);
        Double temperature = rawTemperature == 0x8000 ? null : (short) rawTemperature / 256.0;
        return new BeaconFrame.EddystoneTlm(battery == 0 ? null : battery, temperature,
                Bytes.u32be(d, at + 4), Bytes.u32be(d, at + 8));
    }

    private static BeaconFrame uriBeacon(byte[] d) {
        if (d.length < 3) {
            return new BeaconFrame.Malformed("uribeacon", "needs at least 3 bytes, has " + d.length);
        }
        return url("uribeacon", d, 2, url -> new BeaconFrame.UriBeacon(d[0] & 0xFF, d[1], url));
    }

    private static BeaconFrame url(String format, byte[] d, int at, java.util.function.Function<String, BeaconFrame> frame) {
        try {
            return frame.apply(UrlCodec.decode(d, at, d.length - at));
        } catch (IllegalArgumentException e) {
            return new BeaconFrame.Malformed(format, e.getMessage());
        }
    }
}
