package io.storegw.drivers.ble.hci;

import io.storegw.drivers.ble.BleAddress;

/**
 * One advertisement as the controller reported it, legacy (LE Advertising Report) or extended
 * (LE Extended Advertising Report).
 *
 * @param eventType   the report's event type as sent: 0-4 for legacy reports, the 16-bit bit field for extended ones
 * @param rssi        dBm, or {@code null} when the controller had none (127)
 * @param txPower     the advertiser's TX power in dBm from an extended report, or {@code null}
 * @param primaryPhy  1 LE 1M, 3 LE Coded (legacy reports are always LE 1M)
 * @param secondaryPhy 0 none, 1 LE 1M, 2 LE 2M, 3 LE Coded
 * @param sid         advertising set id, or 0xFF when none
 * @param data        the advertising data (AD structures)
 */
public record AdvertisingReport(boolean extended, int eventType, BleAddress address, Integer rssi, Integer txPower,
                                int primaryPhy, int secondaryPhy, int sid, DataStatus dataStatus, byte[] data) {

    /** Whether an extended report's data is complete or more fragments follow. */
    public enum DataStatus {
        COMPLETE, INCOMPLETE_MORE, INCOMPLETE_TRUNCATED, RESERVED;

        static DataStatus of(int bits) {
            return values()[bits & 0b11];
        }

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Legacy event types, by code. */
    private static final String[] LEGACY_TYPES = {"adv-ind", "adv-direct-ind", "adv-scan-ind", "adv-nonconn-ind", "scan-rsp"};

    /** The event type as a name: the legacy PDU type, or the extended report's properties. */
    public String eventTypeName() {
        if (!extended) {
            return eventType < LEGACY_TYPES.length ? LEGACY_TYPES[eventType] : "reserved-" + eventType;
        }
        StringBuilder s = new StringBuilder((eventType & 0x10) != 0 ? "legacy" : "extended");
        if ((eventType & 0x01) != 0) {
            s.append(",connectable");
        }
        if ((eventType & 0x02) != 0) {
            s.append(",scannable");
        }
        if ((eventType & 0x04) != 0) {
            s.append(",directed");
        }
        if ((eventType & 0x08) != 0) {
            s.append(",scan-response");
        }
        return s.toString();
    }
}
