package io.storegw.rigs.ble;

import io.storegw.drivers.ble.BleAddress;
import io.storegw.drivers.ble.beacon.BeaconDecoder;
import io.storegw.drivers.ble.beacon.BeaconFrame;
import io.storegw.drivers.ble.identity.AppBeacon;
import io.storegw.drivers.ble.identity.EidCrypto;
import io.storegw.drivers.ble.identity.EidResolver;
import io.storegw.drivers.ble.identity.Identity;
import io.storegw.drivers.ble.identity.IdentityResolver;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decode and resolve throughput on one core, over a store's mix of advertisements: members' EID and
 * app-beacon frames, fixed iBeacons and Eddystone UIDs, and strangers (phones storegw cannot resolve).
 * The baseline is copying each advertisement's bytes: the least any decoder must do with them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BleBenchmark {

    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final UUID APP = UUID.fromString("e2c56db5-dffb-48d2-b060-d0f5a71096e0");
    static final int POOL = 4_096;

    @Param("10000")
    public int members;

    private byte[][] advertisements;
    private BleAddress[] addresses;
    private IdentityResolver resolver;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        AppBeacon scheme = new AppBeacon(APP, Duration.ofMinutes(15));
        resolver = new IdentityResolver(IdentityResolver.Settings.defaults().withAppBeacon(scheme), List.of());
        resolver.advanceTo(NOW);
        byte[][] keys = new byte[members][16];
        long[] offsets = new long[members];
        for (int i = 0; i < members; i++) {
            random.nextBytes(keys[i]);
            if (i % 2 == 0) {
                offsets[i] = random.nextInt(1 << 20);
                resolver.eids().register(new EidResolver.Registration("m" + i, keys[i], 10, offsets[i]));
            } else {
                resolver.appBeacons().register("m" + i, keys[i]);
            }
        }
        advertisements = new byte[POOL][];
        addresses = new BleAddress[POOL];
        for (int n = 0; n < POOL; n++) {
            int i = random.nextInt(members);
            byte[] ad = switch (n % 8) {
                case 0, 1, 2 -> eid(EidCrypto.eidOf(keys[i & ~1], 10, NOW.getEpochSecond() + offsets[i & ~1]));
                case 3, 4 -> {
                    int odd = (i | 1) < members ? i | 1 : 1;
                    int mm = AppBeacon.majorMinor(keys[odd], scheme.counter(NOW));
                    yield iBeacon(APP, mm >>> 16, mm & 0xFFFF);
                }
                case 5 -> iBeacon(UUID.fromString("f7826da6-4fa2-4e98-8024-bc5b71e0893e"), n % 50, n % 7);
                case 6 -> eid(random.nextLong()); // a stranger's EID
                default -> uid(n);
            };
            advertisements[n] = ad;
            long address = random.nextLong() & 0xFFFF_FFFF_FFFFL & ~(0b11L << 46) | (0b01L << 46);
            addresses[n] = new BleAddress(address, BleAddress.Kind.RESOLVABLE_PRIVATE);
        }
        // a benchmark of lookups that all miss would flatter the resolver: check the mix resolves as built
        long resolved = 0;
        for (int n = 0; n < POOL; n++) {
            if (resolver.resolve(addresses[n], BeaconDecoder.decode(advertisements[n]), NOW).identity() instanceof Identity.Member) {
                resolved++;
            }
        }
        if (resolved < POOL * 5 / 8 - POOL / 100) {
            throw new IllegalStateException("only " + resolved + " of " + POOL + " member advertisements resolved");
        }
    }

    static byte[] eid(long eid) {
        return ByteBuffer.allocate(18).put(new byte[] {2, 1, 6, 14, 0x16, (byte) 0xAA, (byte) 0xFE, 0x30, (byte) 0xEC})
                .putLong(eid).put((byte) 0).array();
    }

    static byte[] iBeacon(UUID uuid, int major, int minor) {
        return ByteBuffer.allocate(30).put(new byte[] {2, 1, 6, 26, (byte) 0xFF, 0x4C, 0, 2, 0x15})
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits())
                .putShort((short) major).putShort((short) minor).put((byte) -59).array();
    }

    static byte[] uid(int n) {
        return ByteBuffer.allocate(31).put(new byte[] {2, 1, 6, 3, 3, (byte) 0xAA, (byte) 0xFE, 23, 0x16, (byte) 0xAA, (byte) 0xFE, 0, -25})
                .put(new byte[10]).putInt(0).putShort((short) n).putShort((short) 0).array();
    }

    private int index() {
        int i = next;
        next = (i + 1) & (POOL - 1);
        return i;
    }

    @Benchmark
    public byte[] baselineCopy() {
        byte[] ad = advertisements[index()];
        return Arrays.copyOf(ad, ad.length);
    }

    @Benchmark
    public List<BeaconFrame> decode() {
        return BeaconDecoder.decode(advertisements[index()]);
    }

    @Benchmark
    public void decodeAndResolve(Blackhole hole) {
        int i = index();
        hole.consume(resolver.resolve(addresses[i], BeaconDecoder.decode(advertisements[i]), NOW));
    }
}
