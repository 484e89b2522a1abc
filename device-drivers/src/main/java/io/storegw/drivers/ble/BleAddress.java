package io.storegw.drivers.ble;

import java.util.Locale;

/**
 * A Bluetooth device address with its kind. The 48-bit value is held most significant byte first,
 * as printed ({@code C8:69:CD:46:0B:5D}); HCI carries it least significant byte first.
 */
public record BleAddress(long value, Kind kind) {

    /** What an address says about its owner, which decides whether it may be tracked at all. */
    public enum Kind {
        PUBLIC, RANDOM_STATIC, RESOLVABLE_PRIVATE, NON_RESOLVABLE_PRIVATE, ANONYMOUS;

        public String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * The address at {@code at} in HCI byte order, with its HCI address type (0 public, 1 random, 2 and 3
     * identity addresses the controller resolved, 0xFF anonymous).
     */
    public static BleAddress fromHci(byte[] b, int at, int addressType) {
        long value = 0;
        for (int i = 5; i >= 0; i--) {
            value = value << 8 | (b[at + i] & 0xFF);
        }
        return new BleAddress(value, kindOf(value, addressType));
    }

    /** Parses {@code AA:BB:CC:DD:EE:FF}; {@code random} says whether it is a random address. */
    public static BleAddress parse(String text, boolean random) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new BleFormatException("not a Bluetooth address: '" + text + "'");
        }
        long value = 0;
        for (String p : parts) {
            if (p.length() != 2) {
                throw new BleFormatException("not a Bluetooth address: '" + text + "'");
            }
            try {
                value = value << 8 | Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new BleFormatException("not a Bluetooth address: '" + text + "'");
            }
        }
        return new BleAddress(value, kindOf(value, random ? 1 : 0));
    }

    private static Kind kindOf(long value, int addressType) {
        return switch (addressType) {
            case 0, 2 -> Kind.PUBLIC;
            case 3 -> Kind.RANDOM_STATIC;
            case 1 -> switch ((int) (value >>> 46)) {
                case 0b11 -> Kind.RANDOM_STATIC;
                case 0b01 -> Kind.RESOLVABLE_PRIVATE;
                case 0b00 -> Kind.NON_RESOLVABLE_PRIVATE;
                default -> Kind.RANDOM_STATIC; // 0b10 is reserved; treat as the least trackable stable kind
            };
            default -> Kind.ANONYMOUS;
        };
    }

    /** The top 24 bits of a resolvable private address: the random part {@code prand}. */
    public int prand() {
        return (int) (value >>> 24) & 0xFF_FFFF;
    }

    /** The low 24 bits of a resolvable private address: the hash of {@code prand} under the owner's IRK. */
    public int hash() {
        return (int) value & 0xFF_FFFF;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            s.append(Character.toUpperCase(Character.forDigit((int) (value >>> (8 * i + 4)) & 0xF, 16)));
            s.append(Character.toUpperCase(Character.forDigit((int) (value >>> (8 * i)) & 0xF, 16)));
            if (i > 0) {
                s.append(':');
            }
        }
        return s.toString();
    }
}
