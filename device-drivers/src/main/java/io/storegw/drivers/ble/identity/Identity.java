package io.storegw.drivers.ble.identity;

/**
 * Who an advertisement came from, as far as storegw may know it. Only {@link #key()} travels further;
 * raw addresses and rotating identifiers stay in the BLE layer.
 */
public sealed interface Identity {

    /** The stable key downstream layers count and correlate by. */
    String key();

    /** A loyalty member's phone or tag, resolved from a rotating identifier. */
    record Member(String memberId, String via) implements Identity {
        @Override
        public String key() {
            return "member:" + memberId;
        }
    }

    /** A staff device, resolved from its resolvable private address. */
    record Staff(String staffId) implements Identity {
        @Override
        public String key() {
            return "staff:" + staffId;
        }
    }

    /** A fixed beacon (shelf, door, asset tag) named by its frame: {@code ibeacon:UUID/major/minor} and the like. */
    record FixedBeacon(String beaconKey) implements Identity {
        @Override
        public String key() {
            return beaconKey;
        }
    }

    /**
     * Nobody storegw may track: counted, never followed.
     *
     * @param session a {@link SessionReferences} reference, the same for one device within one store
     *                day, or null where no references are made (then every such device is one)
     */
    record Anonymous(String session) implements Identity {
        public static final Anonymous INSTANCE = new Anonymous(null);

        @Override
        public String key() {
            return session == null ? "anonymous" : "anon:" + session;
        }
    }
}
