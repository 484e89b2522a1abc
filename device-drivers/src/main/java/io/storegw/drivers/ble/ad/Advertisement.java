package io.storegw.drivers.ble.ad;

import java.util.List;
import java.util.UUID;

/**
 * The AD structures of one advertisement (or scan response) that storegw reads; other types are skipped.
 *
 * @param flags        the Flags entry, or {@code null}
 * @param localName    the complete or shortened local name, or {@code null}
 * @param txPowerLevel the TX Power Level entry in dBm, or {@code null}
 * @param truncated    a trailing entry declared more bytes than there were; it was ignored
 */
public record Advertisement(Integer flags, List<UUID> serviceUuids, String localName, Integer txPowerLevel,
                            List<ServiceData> serviceData, List<ManufacturerData> manufacturerData,
                            boolean truncated) {

    public Advertisement {
        serviceUuids = List.copyOf(serviceUuids);
        serviceData = List.copyOf(serviceData);
        manufacturerData = List.copyOf(manufacturerData);
    }

    /** Service data: the UUID (16- and 32-bit ones expanded to the full form) and the bytes after it. */
    public record ServiceData(UUID uuid, byte[] data) {
    }

    /** Manufacturer specific data: the company identifier and the bytes after it. */
    public record ManufacturerData(int companyId, byte[] data) {
    }
}
