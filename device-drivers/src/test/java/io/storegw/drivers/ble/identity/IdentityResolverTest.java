package io.storegw.drivers.ble.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.Bytes;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    static final Instant NOW = Instant.parse("2026-11-23T10:07:00Z");
    static final UUID APP = UUID.fromString("e2c56db5-dffb-48d2-b060-d0f5a71096e0");
    static final byte[] SECRET_A = "member-a-secret-32-bytes-long!!!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SECRET_B = "member-b-secret-32-bytes-long!!!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] IK = Bytes.parseHex("0102030405060708090a111213141516");
    static final byte[] STAFF_IRK = Bytes.parseHex("ec0234a357c8ad05341010a60a397d9b");
    static final BleAddress STAFF_RPA = BleAddress.parse("70:81:94:0D:FB:AA", true);
    static final BleAddress SOME_RPA = BleAddress.parse("4A:11:22:33:44:55", true);

    final AppBeacon scheme = new AppBeacon(APP, Duration.ofMinutes(15));

    IdentityResolver resolver() {
        IdentityResolver r = new IdentityResolver(IdentityResolver.Settings.defaults().withAppBeacon(scheme),
                List.of(new RpaResolver.Irk("alice", STAFF_IRK)));
        r.advanceTo(NOW);
        r.eids().register(new EidResolver.Registration("member-eid", IK, 10, 500));
        r.appBeacons().register("member-a", SECRET_A);
        r.appBeacons().register("member-b", SECRET_B);
        return r;
    }

    BeaconFrame.IBeacon appFrame(byte[] secret, Instant at) {
        int mm = AppBeacon.majorMinor(secret, scheme.counter(at));
        return new BeaconFrame.IBeacon(APP, mm >>> 16, mm & 0xFFFF, -59);
    }

    @Test
    void appBeaconResolvesThisPeriodAndItsNeighboursOnly() {
        IdentityResolver r = resolver();
        assertThat(r.resolve(SOME_RPA, List.of(appFrame(SECRET_A, NOW)), NOW).identity())
                .isEqualTo(new Identity.Member("member-a", "app-beacon"));
        assertThat(r.resolve(SOME_RPA, List.of(appFrame(SECRET_B, NOW.minusSeconds(900))), NOW).identity().key())
                .as("previous period, within the window").isEqualTo("member:member-b");
        assertThat(r.resolve(SOME_RPA, List.of(appFrame(SECRET_A, NOW.minusSeconds(3 * 900))), NOW).identity())
                .as("45 minutes old").isEqualTo(Identity.Anonymous.INSTANCE);
        Instant later = NOW.plusSeconds(4 * 900);
        assertThat(r.resolve(SOME_RPA, List.of(appFrame(SECRET_A, later)), later).identity().key()).isEqualTo("member:member-a");
    }

    @Test
    void appBeaconDerivationIsStableAndDocumented() {
        // the value docs/identity.md gives the app team to check their implementation against
        byte[] secret = Bytes.parseHex("000102030405060708090a0b0c0d0e0f");
        assertThat(scheme.counter(Instant.parse("2026-11-23T10:07:00Z"))).isEqualTo(1_994_920L);
        assertThat(String.format("%08x", AppBeacon.majorMinor(secret, 1_994_920L))).isEqualTo(DOCUMENTED_MAJOR_MINOR);
        assertThatThrownBy(() -> scheme.getClass().getConstructor(UUID.class, Duration.class).newInstance(APP, Duration.ofSeconds(5)))
                .hasRootCauseMessage("app-beacon period must be at least 60 s, is PT5S");
        assertThatThrownBy(() -> new AppBeacon.Resolver(scheme, 1).register("x", new byte[8])).hasMessageContaining("at least 16 bytes");
    }

    /** Major 42393, minor 36817: computed independently with Python's hmac, and quoted in docs/identity.md. */
    static final String DOCUMENTED_MAJOR_MINOR = "a5998fd1";

    @Test
    void eidResolvesAndPairsEncryptedTelemetryByAddress() {
        IdentityResolver r = resolver();
        EidResolver.Registration reg = new EidResolver.Registration("member-eid", IK, 10, 500);
        long beaconTime = reg.beaconTime(NOW.getEpochSecond());
        BleAddress nrpa = BleAddress.parse("12:34:56:78:9A:BC", true);
        assertThat(r.resolve(nrpa, List.of(new BeaconFrame.EddystoneEid(-20, EidCrypto.eidOf(IK, 10, beaconTime))), NOW).identity())
                .isEqualTo(new Identity.Member("member-eid", "eddystone-eid"));
        byte[] plain = Bytes.parseHex("0b1847110000146700002ac4");
        IdentityResolver.Resolution tlm = r.resolve(nrpa, List.of(EidCrypto.encryptTlm(IK, 10, beaconTime, 7, plain)), NOW.plusSeconds(2));
        assertThat(tlm.identity().key()).isEqualTo("member:member-eid");
        assertThat(tlm.telemetry().batteryMv()).isEqualTo(2840);
        // the same eTLM from an address never paired with an EID tells nothing
        assertThat(r.resolve(SOME_RPA, List.of(EidCrypto.encryptTlm(IK, 10, beaconTime, 7, plain)), NOW).identity())
                .isEqualTo(Identity.Anonymous.INSTANCE);
        assertThat(r.resolve(nrpa, List.of(new BeaconFrame.EddystoneEid(-20, 42L)), NOW).identity()).isEqualTo(Identity.Anonymous.INSTANCE);
    }

    @Test
    void membersPublishedLaterAreRecognisedAndRemovedOnesAreNotEvenByTheirTelemetry() {
        Registrations members = new Registrations();
        IdentityResolver r = new IdentityResolver(IdentityResolver.Settings.defaults().withAppBeacon(scheme), List.of(), null, members);
        BleAddress nrpa = BleAddress.parse("12:34:56:78:9A:BC", true);
        long t = NOW.getEpochSecond(); // phones count EID time from the Unix epoch: offset 0
        List<BeaconFrame> eid = List.of(new BeaconFrame.EddystoneEid(-20, EidCrypto.eidOf(IK, 10, t)));
        assertThat(r.resolve(nrpa, eid, NOW).identity()).isEqualTo(Identity.Anonymous.INSTANCE);

        members.publish(List.of(new Registrations.Registered("m-1", Bytes.hex(IK), 10, null),
                new Registrations.Registered("m-2", null, 0, Bytes.hex(SECRET_A)),
                new Registrations.Registered("m-3", Bytes.hex(IK).replace('0', 'f'), 2, null)));
        assertThat(r.resolve(nrpa, eid, NOW).identity()).isEqualTo(new Identity.Member("m-1", "eddystone-eid"));
        assertThat(r.resolve(SOME_RPA, List.of(appFrame(SECRET_A, NOW)), NOW).identity()).isEqualTo(new Identity.Member("m-2", "app-beacon"));
        assertThat(r.unusable()).as("exponent 2 rotates too fast for 5 minutes of drift").isEqualTo(1);

        members.publish(List.of(new Registrations.Registered("m-2", null, 0, Bytes.hex(SECRET_A))));
        assertThat(r.resolve(nrpa, eid, NOW).identity()).isEqualTo(Identity.Anonymous.INSTANCE);
        byte[] plain = Bytes.parseHex("0b1847110000146700002ac4");
        assertThat(r.resolve(nrpa, List.of(EidCrypto.encryptTlm(IK, 10, t, 7, plain)), NOW).identity())
                .as("the address paired before the removal names nobody now").isEqualTo(Identity.Anonymous.INSTANCE);
        assertThat(r.resolve(SOME_RPA, List.of(appFrame(SECRET_A, NOW)), NOW).identity()).isEqualTo(new Identity.Member("m-2", "app-beacon"));
    }

    @Test
    void staffDevicesByIrkFixedBeaconsByFrameEveryoneElseAnonymous() {
        IdentityResolver r = resolver();
        assertThat(r.resolve(STAFF_RPA, List.of(), NOW).identity()).isEqualTo(new Identity.Staff("alice"));
        assertThat(r.resolve(SOME_RPA, List.of(), NOW).identity()).isEqualTo(Identity.Anonymous.INSTANCE);
        assertThat(r.resolve(BleAddress.parse("C8:69:CD:46:0B:5D", false), List.of(), NOW).identity())
                .as("a public address is no licence to track").isEqualTo(Identity.Anonymous.INSTANCE);
        UUID shelf = UUID.fromString("f7826da6-4fa2-4e98-8024-bc5b71e0893e");
        assertThat(r.resolve(SOME_RPA, List.of(new BeaconFrame.IBeacon(shelf, 170, 187, -77)), NOW).identity().key())
                .isEqualTo("ibeacon:f7826da6-4fa2-4e98-8024-bc5b71e0893e/170/187");
        assertThat(r.resolve(SOME_RPA, List.of(new BeaconFrame.EddystoneUid(-25, "00010203040506070809", "0a0b0c0d0e0f")), NOW)
                .identity().key()).isEqualTo("eddystone-uid:00010203040506070809/0a0b0c0d0e0f");
        // an app-beacon that resolves to nobody is a phone, never a fixed beacon to follow
        assertThat(r.resolve(SOME_RPA, List.of(new BeaconFrame.IBeacon(APP, 1, 2, -59)), NOW).identity())
                .isEqualTo(Identity.Anonymous.INSTANCE);
    }

    /** A fixed beacon interleaves UID and TLM advertisements from one address; the TLM alone names nobody. */
    @Test
    void aFixedBeaconsPlainTelemetryIsPairedByAddress() {
        IdentityResolver r = resolver();
        BleAddress beacon = BleAddress.parse("E4:11:22:33:44:55", true);
        // citruz/beacontools test_eddystone_tlm2, as on air
        List<BeaconFrame> tlm = io.storegw.drivers.ble.beacon.BeaconDecoder.decode(
                java.util.HexFormat.of().parseHex("0201060303aafe1116aafe20000b1847110000146700002ac4e4"));
        assertThat(r.resolve(beacon, tlm, NOW).telemetry()).as("not yet known as a beacon").isNull();
        var uid = r.resolve(beacon, List.of(new BeaconFrame.EddystoneUid(-25, "00010203040506070809", "0a0b0c0d0e0f")), NOW);
        assertThat(uid.telemetry()).isNull();
        IdentityResolver.Resolution paired = r.resolve(beacon, tlm, NOW);
        assertThat(paired.identity().key()).isEqualTo("eddystone-uid:00010203040506070809/0a0b0c0d0e0f");
        assertThat(io.storegw.drivers.ble.BleSightings.of(NOW, "rx-1", -70, tlm, paired)).containsExactly(
                new io.storegw.drivers.observation.BleSighting(NOW, "rx-1", "eddystone-uid:00010203040506070809/0a0b0c0d0e0f", -70, null),
                new io.storegw.drivers.observation.BeaconTelemetry(NOW, "rx-1", "eddystone-uid:00010203040506070809/0a0b0c0d0e0f",
                        2840, 71.06640625, 5223, 1094));
        var stranger = r.resolve(SOME_RPA, tlm, NOW);
        assertThat(stranger.identity()).isEqualTo(Identity.Anonymous.INSTANCE);
        assertThat(io.storegw.drivers.ble.BleSightings.of(NOW, "rx-1", -70, tlm, stranger)).as("a phone's telemetry is nobody's business")
                .hasSize(1);
    }

    /** With session references, anonymous devices are counted one by one within a store day, and nothing links days. */
    @Test
    void anonymousDevicesGetDailySessionReferences() {
        IdentityResolver r = new IdentityResolver(IdentityResolver.Settings.defaults(), List.of(new RpaResolver.Irk("alice", STAFF_IRK)),
                new SessionReferences(java.time.ZoneId.of("Europe/Berlin"), new java.security.SecureRandom()));
        BleAddress other = BleAddress.parse("5B:66:77:88:99:AA", true);
        String first = r.resolve(SOME_RPA, List.of(), NOW).identity().key();
        assertThat(first).matches("anon:[A-Za-z0-9_-]{16}").doesNotContain("4A11", "4a:11");
        assertThat(r.resolve(SOME_RPA, List.of(), NOW.plusSeconds(3_600)).identity().key()).as("same device, same day").isEqualTo(first);
        assertThat(r.resolve(other, List.of(), NOW).identity().key()).as("another device").isNotEqualTo(first).startsWith("anon:");
        // 23:30 Berlin is the next store day's key's business only after midnight
        assertThat(r.resolve(SOME_RPA, List.of(), Instant.parse("2026-11-23T22:59:00Z")).identity().key()).isEqualTo(first);
        assertThat(r.resolve(SOME_RPA, List.of(), Instant.parse("2026-11-23T23:01:00Z")).identity().key())
                .as("a new store day, a new random key").isNotEqualTo(first);
        assertThat(r.resolve(STAFF_RPA, List.of(), NOW).identity()).as("staff stay staff").isEqualTo(new Identity.Staff("alice"));
    }

    /** BLE spam's random addresses must not each become a phone held in memory downstream. */
    @Test
    void pastTheMinutesLimitAnonymousDevicesAreAllOneUntilTheNextMinute() {
        java.util.concurrent.atomic.AtomicInteger merged = new java.util.concurrent.atomic.AtomicInteger();
        IdentityResolver r = new IdentityResolver(IdentityResolver.Settings.defaults(), List.of(new RpaResolver.Irk("alice", STAFF_IRK)),
                new SessionReferences(java.time.ZoneId.of("Europe/Berlin"), new java.security.SecureRandom(), 3, merged::incrementAndGet));
        Instant minute = Instant.parse("2026-11-23T10:15:00Z");
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            keys.add(r.resolve(BleAddress.parse("5B:66:77:88:99:A" + i, true), List.of(), minute.plusSeconds(10 + i)).identity().key());
        }
        assertThat(keys.subList(0, 3)).allMatch(k -> k.startsWith("anon:")).doesNotHaveDuplicates();
        assertThat(keys.subList(3, 5)).as("past the limit: one for all").containsOnly("anonymous");
        assertThat(merged).hasValue(2);
        assertThat(r.resolve(BleAddress.parse("5B:66:77:88:99:A0", true), List.of(), minute.plusSeconds(50)).identity().key())
                .as("a device told apart this minute stays itself").isEqualTo(keys.get(0));
        assertThat(r.resolve(STAFF_RPA, List.of(), minute.plusSeconds(51)).identity()).as("staff are not anonymous").isEqualTo(new Identity.Staff("alice"));
        String next = r.resolve(BleAddress.parse("5B:66:77:88:99:A4", true), List.of(), minute.plusSeconds(61)).identity().key();
        assertThat(next).as("the next minute tells it apart").startsWith("anon:");
        r.resolve(BleAddress.parse("5B:66:77:88:99:A3", true), List.of(), minute.plusSeconds(59)); // stamped before the turn
        r.resolve(BleAddress.parse("5B:66:77:88:99:A2", true), List.of(), minute.plusSeconds(62));
        assertThat(r.resolve(BleAddress.parse("5B:66:77:88:99:A1", true), List.of(), minute.plusSeconds(63)).identity().key())
                .as("a late sighting counts in the new minute, not a minute of its own").isEqualTo("anonymous");
        assertThat(r.resolve(BleAddress.parse("5B:66:77:88:99:A1", true), List.of(), minute.minusSeconds(3_600)).identity().key())
                .as("the clock set back an hour: a minute afresh").startsWith("anon:");
    }

    @Test
    void rpaAnswersAreCachedPerAddress() {
        RpaResolver rpa = new RpaResolver(List.of(new RpaResolver.Irk("alice", STAFF_IRK)), 2);
        assertThat(rpa.resolve(STAFF_RPA)).isEqualTo("alice");
        assertThat(rpa.resolve(SOME_RPA)).isNull();
        assertThat(rpa.resolve(BleAddress.parse("C8:69:CD:46:0B:5D", false))).isNull();
        assertThat(rpa.resolve(BleAddress.parse("D0:81:94:0D:FB:AA", true))).as("static random, not an RPA").isNull();
        for (int i = 0; i < 10; i++) {
            assertThat(rpa.resolve(BleAddress.parse("4B:00:00:00:00:0" + i, true))).isNull();
        }
        assertThat(rpa.resolve(STAFF_RPA)).as("after eviction, computed again").isEqualTo("alice");
    }

    @Test
    void sharedIdentifiersResolveToNobodyUntilTheyPartAgain() {
        RotatingIds<String> ids = new RotatingIds<>();
        ids.advanceTo(1_000);
        ids.put("a", "a", rotor(p -> p));
        ids.put("b", "b", rotor(p -> p == 100 ? 100 : -p));
        assertThat(ids.lookup(100)).isNull();
        assertThat(ids.ambiguous(100)).isTrue();
        assertThat(ids.lookup(101)).isEqualTo("a");
        assertThat(ids.lookup(-99)).isEqualTo("b");
        ids.advanceTo(1_030); // period 103: window 102-104; 100 has left it for both
        assertThat(ids.ambiguous(100)).isFalse();
        assertThat(ids.lookup(100)).isNull();
        assertThat(ids.lookup(104)).isEqualTo("a");
        ids.advanceTo(1_000);
        ids.remove("b");
        assertThat(ids.lookup(100)).as("only a holds it now").isEqualTo("a");
    }

    private static RotatingIds.Rotor rotor(java.util.function.LongUnaryOperator id) {
        return new RotatingIds.Rotor() {
            @Override
            public long periodAt(long epochSecond) {
                return epochSecond / 10;
            }

            @Override
            public int window() {
                return 1;
            }

            @Override
            public long idFor(long period) {
                return id.applyAsLong(period);
            }
        };
    }
}
