package io.storegw.drivers.ble;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.observation.Observation;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BtSnoopReplayTest {

    static final Instant T0 = Instant.parse("2026-11-23T10:15:30Z");

    @Test
    void captureBecomesTimestampedSightingsWithIdentitiesNotAddresses(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("store.btsnoop");
        Files.write(file, monitorCapture(
                "3e2a02010301" + "3594efcdd61c" + "1e" + "0201061aff4c0002154142434445464748494041424344454600010002f8" + "dd",
                "3e18020104009eef06ae1a000c0b09426c75655a20352e3433ba",
                "3e0c02010400b30b7c8fe2587f7f")); // RSSI 127: not available, so no sighting
        IdentityResolver resolver = new IdentityResolver(IdentityResolver.Settings.defaults(), List.of());
        List<Observation> seen = new CopyOnWriteArrayList<>();
        try (BtSnoopReplay replay = new BtSnoopReplay(new BtSnoopReplay.Settings(file, "door-pi", false), resolver)) {
            replay.start(o -> {
                seen.add(o);
                return CompletableFuture.completedFuture(null);
            });
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!replay.finished() && replay.problem() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(replay.problem()).isNull();
            assertThat(replay.sightings()).isEqualTo(2);
        }
        assertThat(seen).containsExactly(
                new BleSighting(T0, "door-pi", "ibeacon:41424344-4546-4748-4940-414243444546/1/2", -35, -8),
                new BleSighting(T0.plusSeconds(1), "door-pi", "anonymous", -70, null));
    }

    @Test
    void anUnreadableCaptureIsAProblemNotACrash(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.btsnoop"), "this is a text file, not a capture");
        try (BtSnoopReplay replay = new BtSnoopReplay(new BtSnoopReplay.Settings(file, "r", false),
                new IdentityResolver(IdentityResolver.Settings.defaults(), List.of()))) {
            replay.start(o -> CompletableFuture.completedFuture(null));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (replay.problem() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(replay.healthy()).isFalse();
            assertThat(replay.problem()).contains("bad.btsnoop", "magic");
        }
    }

    /** A datalink-2001 capture with one event per second from T0. */
    static byte[] monitorCapture(String... events) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeBytes("btsnoop\0");
        out.writeInt(1);
        out.writeInt(2001);
        for (int i = 0; i < events.length; i++) {
            byte[] e = Bytes.parseHex(events[i]);
            out.writeInt(e.length);
            out.writeInt(e.length);
            out.writeInt(3);
            out.writeInt(0);
            out.writeLong((T0.getEpochSecond() + i) * 1_000_000L + 0x00DCDDB30F2F8000L);
            out.write(e);
        }
        return bytes.toByteArray();
    }
}
