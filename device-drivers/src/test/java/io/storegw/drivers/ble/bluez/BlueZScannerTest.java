package io.storegw.drivers.ble.bluez;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.observation.BleSighting;
import io.storegw.drivers.source.RecordingSink;
import io.storegw.drivers.testing.Await;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scanner against python3-dbusmock's BlueZ on a private dbus-daemon: adapters come and go,
 * bluetoothd restarts, and iBeacon and Eddystone advertisements arrive typed as bluetoothd types
 * them. Needs dbus-daemon and python3-dbusmock (the bluez profile; .ci/run installs them).
 */
@EnabledIfSystemProperty(named = "storegw.test.bluez", matches = "true")
class BlueZScannerTest {

    static final String IBEACON = "0x004c=0215e5b9e3a627e24c36a2577698da5fc1400064002ac5";
    static final String EDDYSTONE_UID = "0000feaa-0000-1000-8000-00805f9b34fb=00e9001122334455667788990102030405ff0000";

    @TempDir
    Path dir;
    Process daemon;
    Process bluez;
    String address;
    Path template;
    Path ctl;
    final RecordingSink sink = new RecordingSink();
    final List<BlueZScanner.Heard> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    BlueZScanner scanner;

    @BeforeEach
    void startBus() throws Exception {
        template = copy("bluez_beacons_template.py");
        ctl = copy("bluez_ctl.py");
        daemon = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--print-address=1",
                "--address=unix:path=" + dir.resolve("bus")).redirectErrorStream(true).start();
        address = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(address).startsWith("unix:path=");
        startBluez();
        scanner = new BlueZScanner(new BlueZScanner.Settings(address, "hci0", "gw-pi", Duration.ofMillis(100)),
                new IdentityResolver(IdentityResolver.Settings.defaults(), List.of()), Clock.systemUTC(), heard::add);
    }

    @AfterEach
    void stop() throws Exception {
        if (scanner != null) {
            scanner.close();
        }
        for (Process p : new Process[] {bluez, daemon}) {
            if (p != null) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private Path copy(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/bluez/" + name)) {
            Path p = dir.resolve(name);
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            return p;
        }
    }

    private void startBluez() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-m", "dbusmock", "--system", "-t", template.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("bluez.log").toFile());
        pb.environment().put("DBUS_SYSTEM_BUS_ADDRESS", address);
        bluez = pb.start();
        ctl("wait");
    }

    private List<String> ctl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", ctl.toString(), address));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0).as("bluez_ctl %s: %s", args, out).isTrue();
        return out.lines().toList();
    }

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(Duration.ofSeconds(15), what, condition);
    }

    List<String> advertisers() {
        return sink.taken.stream().map(o -> ((BleSighting) o).advertiser()).toList();
    }

    @Test
    void beaconsThroughBluezBecomeSightings() throws Exception {
        scanner.start(sink);
        until("no adapter reported", () -> String.valueOf(scanner.problem()).contains("no Bluetooth adapter hci0"));
        ctl("add-adapter", "hci0");
        until("discovery started", () -> scanner.problem() == null);
        assertThat(ctl("calls", "hci0", "SetDiscoveryFilter").get(0))
                .contains("dbus.String('Transport'): dbus.String('le'", "dbus.String('DuplicateData'): dbus.Boolean(True");
        assertThat(ctl("calls", "hci0", "StartDiscovery")).hasSize(1);

        ctl("advertise", "hci0", "C2:A1:F0:AA:12:BC", "-61", "random", IBEACON);
        until("the iBeacon", () -> advertisers().contains("ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/100/42"));
        BleSighting first = sink.taken.stream().map(o -> (BleSighting) o)
                .filter(s -> s.advertiser().startsWith("ibeacon:")).findFirst().orElseThrow();
        assertThat(first).extracting(BleSighting::receiverId, BleSighting::rssi, BleSighting::txPower).containsExactly("gw-pi", -61, -59);

        // a further advertisement with the same data: BlueZ sends only the new RSSI; the kept data names it
        int before = sink.taken.size();
        ctl("advertise", "hci0", "C2:A1:F0:AA:12:BC", "-70", "random");
        until("the repeat", () -> sink.taken.size() > before);
        assertThat((BleSighting) sink.taken.get(sink.taken.size() - 1))
                .extracting(BleSighting::advertiser, BleSighting::rssi).containsExactly("ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/100/42", -70);

        ctl("advertise", "hci0", "DD:00:11:22:33:44", "-75", "public", EDDYSTONE_UID);
        until("the Eddystone UID", () -> advertisers().contains("eddystone-uid:00112233445566778899/0102030405ff"));
        assertThat(heard).anySatisfy(h -> assertThat(h.frames().toString()).contains("EddystoneUid"));
        assertThat(sink.taken.toString()).doesNotContain("C2:A1", "DD:00");
    }

    @Test
    void adaptersAreListedForTheDoctorAndAMissingBusIsAnError() throws Exception {
        assertThat(BlueZAdapters.list(address)).isEmpty();
        ctl("add-adapter", "hci0");
        assertThat(BlueZAdapters.list(address)).singleElement().satisfies(a -> {
            assertThat(a.name()).isEqualTo("hci0");
            assertThat(a.powered()).isTrue();
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlueZAdapters.list("unix:path=" + dir.resolve("no-such-bus")))
                .isInstanceOfSatisfying(BlueZAdapters.Unavailable.class, e -> assertThat(e.busReached()).isFalse());
        bluez.destroy();
        assertThat(bluez.waitFor(10, TimeUnit.SECONDS)).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlueZAdapters.list(address))
                .isInstanceOfSatisfying(BlueZAdapters.Unavailable.class, e -> {
                    assertThat(e.busReached()).isTrue();
                    assertThat(e.getMessage()).isEqualTo("bluetoothd is not running (no org.bluez on the bus)");
                });
    }

    @Test
    void adapterLossAndBluetoothdRestartAreRecoveredWithoutARestart() throws Exception {
        ctl("add-adapter", "hci0");
        scanner.start(sink);
        until("discovery started", () -> scanner.problem() == null);

        ctl("remove-adapter", "hci0");
        until("the adapter missed", () -> sink.counted.containsKey("ble-bluez/adapter-lost"));
        assertThat(sink.counted).containsEntry("ble-bluez/adapter-lost", 1);
        // "adapter hci0 gone", or "no Bluetooth adapter hci0" once the supervisor has looked again
        assertThat(scanner.problem()).contains("hci0");
        ctl("add-adapter", "hci0");
        until("discovery again", () -> scanner.problem() == null);
        ctl("advertise", "hci0", "C2:A1:F0:AA:12:BC", "-61", "random", IBEACON);
        until("sightings again", () -> advertisers().contains("ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/100/42"));

        bluez.destroy(); // bluetoothd dies
        assertThat(bluez.waitFor(10, TimeUnit.SECONDS)).isTrue();
        until("bluetoothd missed", () -> sink.counted.containsKey("ble-bluez/bluetoothd-gone"));
        // the supervisor may have looked again since: either way the problem names bluetoothd
        assertThat(scanner.problem()).containsAnyOf("bluetoothd is gone", "bluetoothd is not running");
        startBluez(); // systemd restarts it
        ctl("add-adapter", "hci0");
        until("discovery after the restart", () -> scanner.problem() == null);
        int before = sink.taken.size();
        ctl("advertise", "hci0", "C2:A1:F0:AA:12:BC", "-58", "random", IBEACON);
        until("sightings after the restart", () -> sink.taken.size() > before
                && ((BleSighting) sink.taken.get(sink.taken.size() - 1)).rssi() == -58);
    }
}
