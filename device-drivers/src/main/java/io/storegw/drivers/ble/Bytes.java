package io.storegw.drivers.ble;

import java.util.HexFormat;
import java.util.UUID;

/** Reads fixed-width fields out of advertising data; every read is bounds-checked by the caller's length. */
public final class Bytes {

    private static final HexFormat HEX = HexFormat.of();
    /** The Bluetooth Base UUID's low 96 bits: 16- and 32-bit UUIDs are shorthands within it. */
    private static final long BASE_LSB = 0x800000805F9B34FBL;

    private Bytes() {
    }

    public static int u8(byte[] b, int at) {
        return b[at] & 0xFF;
    }

    public static int s8(byte[] b, int at) {
        return b[at];
    }

    public static int u16be(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    public static int u16le(byte[] b, int at) {
        return b[at] & 0xFF | (b[at + 1] & 0xFF) << 8;
    }

    public static long u32be(byte[] b, int at) {
        return (long) u16be(b, at) << 16 | u16be(b, at + 2);
    }

    public static long u64be(byte[] b, int at) {
        return u32be(b, at) << 32 | u32be(b, at + 4);
    }

    /** A 128-bit UUID written most significant byte first (iBeacon, AltBeacon). */
    public static UUID uuidBe(byte[] b, int at) {
        return new UUID(u64be(b, at), u64be(b, at + 8));
    }

    /** A 128-bit UUID as AD structures carry it: least significant byte first. */
    public static UUID uuidLe(byte[] b, int at) {
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            lsb |= (long) (b[at + i] & 0xFF) << (8 * i);
            msb |= (long) (b[at + 8 + i] & 0xFF) << (8 * i);
        }
        return new UUID(msb, lsb);
    }

    /** The full UUID of a 16- or 32-bit Bluetooth UUID. */
    public static UUID uuidOf(long shortUuid) {
        return new UUID(shortUuid << 32 | 0x1000L, BASE_LSB);
    }


    public static String hex(byte[] b, int from, int to) {
        return HEX.formatHex(b, from, to);
    }

    public static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    /** Parses hex (upper or lower case, optional spaces or colons between bytes). */
    public static byte[] parseHex(String text) {
        String digits = text.replaceAll("[\\s:]", "");
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        if (digits.isEmpty() || digits.length() % 2 != 0) {
            throw new BleFormatException("not hex bytes: '" + abbreviate(text) + "' (need an even number of hex digits)");
        }
        try {
            return HEX.parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new BleFormatException("not hex bytes: '" + abbreviate(text) + "'");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
