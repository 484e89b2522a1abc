package io.storegw.drivers.ble.ad;

import io.storegw.drivers.ble.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Walks the length-type-value AD structures of advertising data (Core spec Vol 3 Part C §11).
 * Zero-length entries are skipped, a trailing entry that overruns the data is ignored (and reported
 * as {@link Advertisement#truncated()}), and nothing is read past a declared length.
 */
public final class AdStructures {

    public static final int FLAGS = 0x01;
    public static final int UUID16_INCOMPLETE = 0x02;
    public static final int UUID16_COMPLETE = 0x03;
    public static final int UUID32_INCOMPLETE = 0x04;
    public static final int UUID32_COMPLETE = 0x05;
    public static final int UUID128_INCOMPLETE = 0x06;
    public static final int UUID128_COMPLETE = 0x07;
    public static final int NAME_SHORT = 0x08;
    public static final int NAME_COMPLETE = 0x09;
    public static final int TX_POWER = 0x0A;
    public static final int SERVICE_DATA_16 = 0x16;
    public static final int SERVICE_DATA_32 = 0x20;
    public static final int SERVICE_DATA_128 = 0x21;
    public static final int MANUFACTURER_DATA = 0xFF;

    /** Receives each AD entry: its type and where its value lies in {@code data}. */
    @FunctionalInterface
    public interface Visitor {
        void entry(int adType, byte[] data, int offset, int length);
    }

    private AdStructures() {
    }

    /**
     * Calls {@code visitor} for each entry in {@code data[offset, offset + length)}.
     *
     * @return false when a trailing entry overran the data (it was not visited)
     */
    public static boolean walk(byte[] data, int offset, int length, Visitor visitor) {
        int at = offset;
        int end = offset + length;
        while (at < end) {
            int entryLength = data[at] & 0xFF;
            if (entryLength == 0) {
                at++;
                continue;
            }
            if (at + 1 + entryLength > end) {
                return false;
            }
            visitor.entry(data[at + 1] & 0xFF, data, at + 2, entryLength - 1);
            at += 1 + entryLength;
        }
        return true;
    }

    public static Advertisement parse(byte[] data) {
        return parse(data, 0, data.length);
    }

    public static Advertisement parse(byte[] data, int offset, int length) {
        Builder b = new Builder();
        boolean complete = walk(data, offset, length, b);
        return b.build(!complete);
    }

    /** Collects entries into an {@link Advertisement}. */
    private static final class Builder implements Visitor {
        private Integer flags;
        private final List<UUID> uuids = new ArrayList<>(2);
        private String name;
        private Integer txPower;
        private final List<Advertisement.ServiceData> serviceData = new ArrayList<>(1);
        private final List<Advertisement.ManufacturerData> manufacturerData = new ArrayList<>(1);

        @Override
        public void entry(int adType, byte[] d, int at, int len) {
            switch (adType) {
                case FLAGS -> {
                    if (len >= 1) {
                        flags = d[at] & 0xFF;
                    }
                }
                case UUID16_INCOMPLETE, UUID16_COMPLETE -> {
                    for (int i = 0; i + 2 <= len; i += 2) {
                        uuids.add(Bytes.uuidOf(Bytes.u16le(d, at + i)));
                    }
                }
                case UUID32_INCOMPLETE, UUID32_COMPLETE -> {
                    for (int i = 0; i + 4 <= len; i += 4) {
                        uuids.add(Bytes.uuidOf((long) Bytes.u16le(d, at + i + 2) << 16 | Bytes.u16le(d, at + i)));
                    }
                }
                case UUID128_INCOMPLETE, UUID128_COMPLETE -> {
                    for (int i = 0; i + 16 <= len; i += 16) {
                        uuids.add(Bytes.uuidLe(d, at + i));
                    }
                }
                case NAME_SHORT, NAME_COMPLETE -> {
                    if (name == null || adType == NAME_COMPLETE) {
                        name = new String(d, at, len, StandardCharsets.UTF_8);
                    }
                }
                case TX_POWER -> {
                    if (len >= 1) {
                        txPower = (int) d[at];
                    }
                }
                case SERVICE_DATA_16 -> {
                    if (len >= 2) {
                        serviceData.add(new Advertisement.ServiceData(Bytes.uuidOf(Bytes.u16le(d, at)),
                                Arrays.copyOfRange(d, at + 2, at + len)));
                    }
                }
                case SERVICE_DATA_32 -> {
                    if (len >= 4) {
                        long uuid = (long) Bytes.u16le(d, at + 2) << 16 | Bytes.u16le(d, at);
                        serviceData.add(new Advertisement.ServiceData(Bytes.uuidOf(uuid),
                                Arrays.copyOfRange(d, at + 4, at + len)));
                    }
                }
                case SERVICE_DATA_128 -> {
                    if (len >= 16) {
                        serviceData.add(new Advertisement.ServiceData(Bytes.uuidLe(d, at),
                                Arrays.copyOfRange(d, at + 16, at + len)));
                    }
                }
                case MANUFACTURER_DATA -> {
                    if (len >= 2) {
                        manufacturerData.add(new Advertisement.ManufacturerData(Bytes.u16le(d, at),
                                Arrays.copyOfRange(d, at + 2, at + len)));
                    }
                }
                default -> {
                    // other AD types carry nothing storegw uses
                }
            }
        }

        Advertisement build(boolean truncated) {
            return new Advertisement(flags, uuids, name, txPower, serviceData, manufacturerData, truncated);
        }
    }
}
