package io.storegw.drivers.ble.hci;

import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.BleFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads advertising reports out of HCI event packets (Core spec Vol 4 Part E §7.7.65.2 and §7.7.65.13).
 * Other events give no reports; an event whose lengths do not add up is a {@link BleFormatException}.
 */
public final class HciEvents {

    /** H4 packet indicator of an HCI event. */
    public static final int H4_EVENT = 0x04;
    public static final int LE_META = 0x3E;
    public static final int LE_ADVERTISING_REPORT = 0x02;
    public static final int LE_EXTENDED_ADVERTISING_REPORT = 0x0D;
    private static final int LEGACY_FIXED = 10;   // type, address type, address, length, RSSI
    private static final int EXTENDED_FIXED = 24; // every field but the data

    private HciEvents() {
    }

    /** Reports in an H4 packet: the 0x04 indicator, then the event. */
    public static List<AdvertisingReport> parseH4(byte[] packet) {
        if (packet.length < 1 || (packet[0] & 0xFF) != H4_EVENT) {
            throw new BleFormatException(packet.length == 0 ? "empty H4 packet"
                    : "not an HCI event packet (H4 indicator 0x%02x, expected 0x04)".formatted(packet[0] & 0xFF));
        }
        return parseEvent(packet, 1, packet.length - 1);
    }

    /** Reports in an HCI event (event code, parameter length, parameters) at {@code data[offset, offset + length)}. */
    public static List<AdvertisingReport> parseEvent(byte[] data, int offset, int length) {
        if (length < 2) {
            throw new BleFormatException("HCI event shorter than its 2-byte header");
        }
        int code = data[offset] & 0xFF;
        int parameterLength = data[offset + 1] & 0xFF;
        if (parameterLength > length - 2) {
            throw new BleFormatException("HCI event declares %d parameter bytes but has %d"
                    .formatted(parameterLength, length - 2));
        }
        if (code != LE_META || parameterLength < 1) {
            return List.of();
        }
        int at = offset + 3;
        int end = offset + 2 + parameterLength; // bytes after the declared parameters are ignored
        return switch (data[offset + 2] & 0xFF) {
            case LE_ADVERTISING_REPORT -> legacy(data, at, end);
            case LE_EXTENDED_ADVERTISING_REPORT -> extended(data, at, end);
            default -> List.of();
        };
    }

    private static int reportCount(byte[] d, int at, int end) {
        if (at >= end) {
            throw new BleFormatException("advertising report event without Num_Reports");
        }
        int n = d[at] & 0xFF;
        if (n == 0) {
            throw new BleFormatException("advertising report event with Num_Reports 0");
        }
        return n;
    }

    /**
     * LE Advertising Report. With one report both layouts coincide. With several, controllers and the
     * Linux kernel send each report whole, one after another; the Core spec's older arrayed reading puts
     * all event types first, then all address types, and so on. Whichever layout accounts for every byte
     * is used, the report-after-report one when both do.
     */
    private static List<AdvertisingReport> legacy(byte[] d, int at, int end) {
        int n = reportCount(d, at, end);
        at++;
        List<AdvertisingReport> sequential = legacySequential(d, at, end, n);
        if (sequential != null) {
            return sequential;
        }
        List<AdvertisingReport> arrayed = n > 1 ? legacyArrayed(d, at, end, n) : null;
        if (arrayed != null) {
            return arrayed;
        }
        throw new BleFormatException("LE Advertising Report with %d reports does not fit its %d bytes".formatted(n, end - at));
    }

    private static List<AdvertisingReport> legacySequential(byte[] d, int at, int end, int n) {
        List<AdvertisingReport> reports = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (at + LEGACY_FIXED > end) {
                return null;
            }
            int dataLength = d[at + 8] & 0xFF;
            if (at + LEGACY_FIXED + dataLength > end) {
                return null;
            }
            reports.add(legacyReport(d[at] & 0xFF, d[at + 1] & 0xFF, d, at + 2,
                    Arrays.copyOfRange(d, at + 9, at + 9 + dataLength), d[at + 9 + dataLength]));
            at += LEGACY_FIXED + dataLength;
        }
        return n == 1 || at == end ? reports : null;
    }

    private static List<AdvertisingReport> legacyArrayed(byte[] d, int at, int end, int n) {
        int types = at;
        int addressTypes = types + n;
        int addresses = addressTypes + n;
        int lengths = addresses + 6 * n;
        int datas = lengths + n;
        if (datas > end) {
            return null;
        }
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += d[lengths + i] & 0xFF;
        }
        int rssis = datas + total;
        if (rssis + n != end) {
            return null;
        }
        List<AdvertisingReport> reports = new ArrayList<>(n);
        int dataAt = datas;
        for (int i = 0; i < n; i++) {
            int dataLength = d[lengths + i] & 0xFF;
            reports.add(legacyReport(d[types + i] & 0xFF, d[addressTypes + i] & 0xFF, d, addresses + 6 * i,
                    Arrays.copyOfRange(d, dataAt, dataAt + dataLength), d[rssis + i]));
            dataAt += dataLength;
        }
        return reports;
    }

    private static AdvertisingReport legacyReport(int type, int addressType, byte[] d, int addressAt, byte[] data, byte rssi) {
        return new AdvertisingReport(false, type, BleAddress.fromHci(d, addressAt, addressType), rssi(rssi), null,
                1, 0, 0xFF, AdvertisingReport.DataStatus.COMPLETE, data);
    }

    private static List<AdvertisingReport> extended(byte[] d, int at, int end) {
        int n = reportCount(d, at, end);
        at++;
        List<AdvertisingReport> reports = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (at + EXTENDED_FIXED > end) {
                throw new BleFormatException("LE Extended Advertising Report %d of %d is cut short".formatted(i + 1, n));
            }
            int eventType = (d[at] & 0xFF) | (d[at + 1] & 0xFF) << 8;
            int dataLength = d[at + 23] & 0xFF;
            if (at + EXTENDED_FIXED + dataLength > end) {
                throw new BleFormatException("LE Extended Advertising Report %d of %d declares %d data bytes beyond the event"
                        .formatted(i + 1, n, dataLength));
            }
            int txPower = d[at + 12];
            reports.add(new AdvertisingReport(true, eventType, BleAddress.fromHci(d, at + 3, d[at + 2] & 0xFF),
                    rssi(d[at + 13]), txPower == 127 ? null : txPower, d[at + 9] & 0xFF, d[at + 10] & 0xFF,
                    d[at + 11] & 0xFF, AdvertisingReport.DataStatus.of(eventType >> 5),
                    Arrays.copyOfRange(d, at + 24, at + 24 + dataLength)));
            at += EXTENDED_FIXED + dataLength;
        }
        return reports;
    }

    private static Integer rssi(byte value) {
        return value == 127 ? null : (int) value;
    }
}
