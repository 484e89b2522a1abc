package io.storegw.cli;

import static io.storegw.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.cli.Cli.Result;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoregwCliTest {

    @TempDir
    Path dir;

    @Test
    void helpNamesEveryCommandAndTheExitStatuses() {
        Result r = run("--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("run", "config", "ble", "Exit status: 0 ok, 1 a problem was found, 2 usage error.");
        assertThat(run("run", "--help").out()).contains("--config=FILE", "/etc/storegw/storegw.yaml");
        assertThat(run("--version").out()).startsWith("storegw ");
    }

    @Test
    void configCheckSaysOkOrListsEveryProblemWithItsLine() throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), "tenant: a\nstore: b\ngateway: c\nuplink:\n  broker: tcp://h:1883\n");
        Result ok = run("config", "check", good.toString());
        assertThat(ok.status()).isZero();
        assertThat(ok.out()).isEqualTo(good + ": ok (a/b/c -> tcp://h:1883)\n");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "tenant: a\nstore: b c\nuplink:\n  broker: mqtt://h\n");
        Result problems = run("config", "check", bad.toString());
        assertThat(problems.status()).isEqualTo(1);
        assertThat(problems.err()).contains(
                bad + ": line 2: store: expected 1-64 letters",
                bad + ": gateway: required",
                bad + ": line 4: uplink.broker: expected tcp://host:port or ssl://host:port");
    }

    @Test
    void runRefusesABadConfigBeforeTouchingAnything() throws Exception {
        Path state = dir.resolve("state");
        Path bad = Files.writeString(dir.resolve("bad.yaml"),
                "tenant: a\nstore: b\ngateway: c\nstateDir: " + state + "\nuplink:\n  broker: tcp://h:1883\n  colour: blue\n");
        Result r = run("run", "--config", bad.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("line 7: uplink.colour: unknown key 'colour'", "storegw: not started");
        assertThat(state).doesNotExist();
    }

    /** A config that cannot be written where asked is one line saying why, not a stack trace. */
    @Test
    void initWhereNothingCanBeWrittenSaysWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a folder\n");
        Result r = run("init", "--tenant", "acme", "--store", "s1", "--gateway-id", "gw1", "--broker", "tcp://broker:1883",
                "--state-dir", dir.resolve("state").toString(), "--output", file.resolve("storegw.yaml").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("storegw init: cannot write " + file.resolve("storegw.yaml") + " (" + file + ": exists already (a file where a directory should be?))");
    }

    /** A state directory that cannot be made is named, with why. */
    @Test
    void runWithAFileWhereTheStateDirectoryShouldBeSaysSo() throws Exception {
        Path state = Files.writeString(dir.resolve("state"), "a file\n");
        Path file = Files.writeString(dir.resolve("storegw.yaml"), TestConfigs.yaml(state, "tcp://127.0.0.1:" + TestBroker.freePort(), 0, 0, ""));
        Result r = run("run", "--config", file.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("storegw: not started: cannot make the state directory (stateDir) " + state + " (" + state
                + ": exists already (a file where a directory should be?))");
    }

    /** A second gateway on the same state (a technician's storegw run beside the service) says why in one line. */
    @Test
    void runBesideARunningGatewaySaysTheOutboxIsInUse() throws Exception {
        Path state = dir.resolve("state");
        Path file = Files.writeString(dir.resolve("storegw.yaml"), TestConfigs.yaml(state, "tcp://127.0.0.1:" + TestBroker.freePort(), 0, 0, ""));
        try (Gateway running = Gateway.start(ConfigLoader.load(file), Clock.systemUTC())) {
            Result r = run("run", "--config", file.toString());
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).startsWith("storegw: not started: the outbox " + state.resolve("outbox"))
                    .contains("is in use by another process: is another storegw running with this stateDir?")
                    .doesNotContain("\tat ");
        }
    }

    /** {@code status --watch} of a gateway that is not running (or restarts) says so and goes on watching, as watch(1) would. */
    @Test
    void statusWatchGoesOnWhileTheGatewayIsAway() throws Exception {
        Path out = dir.resolve("watch.out");
        Process watch = new ProcessBuilder(GatewayProcess.applianceJava(List.of(), Storegw.class, "status", "--watch", "1",
                "--socket", dir.resolve("nobody.sock").toString())).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "two views of a gateway that is away", () -> {
                try {
                    return Files.readString(out).split("cannot reach the gateway at", -1).length > 2;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertThat(watch.isAlive()).isTrue();
        } finally {
            watch.destroy();
            assertThat(watch.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aMistypedCommandIsAUsageError() {
        Result r = run("rnu");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument", "rnu");
    }

    @Test
    void bleDecodePrintsFramesAsLinesOrStableJson() {
        Result text = run("ble", "decode", "0201061aff4c0002154142434445464748494041424344454600010002f8",
                "3e18020104009eef06ae1a000c0b09426c75655a20352e3433ba");
        assertThat(text.status()).isZero();
        assertThat(text.out()).isEqualTo("""
                ibeacon uuid=41424344-4546-4748-4940-414243444546 major=1 minor=2 txPower=-8
                advertisement name=BlueZ 5.43 address=00:1A:AE:06:EF:9E addressType=public rssi=-70
                """);
        Result json = run("ble", "decode", "--json", "0201060303aafe1116aafe20000b1847110000146700002ac4e4",
                "0201060303aafe1716aafe00e3123456789012346789010000000000010000");
        assertThat(json.out()).isEqualTo("""
                {"type":"eddystone-tlm","batteryMv":2840,"temperatureC":71.06640625,"advCount":5223,"uptimeS":1094.8}
                {"type":"eddystone-uid","txPower":-29,"namespace":"12345678901234678901","instance":"000000000001"}
                """);
        assertThat(run("ble", "decode", "--as", "mfg", "--json", "4c000215b9407f30f5f8466eaff925556b57fe6d294c903974").out())
                .contains("\"major\":10572", "\"minor\":36921");
    }

    @Test
    void bleDecodeSaysWhatAnAdvertisementWithoutABeaconFrameHolds() {
        // An iPhone's Nearby Info (Apple's company id, no iBeacon), a sensor's name and service list, a cut entry.
        Result r = run("ble", "decode", "02011a07ff4c001005031c", "0b0953746f72652d53656e730303aafe", "0201");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("""
                advertisement flags=0x1a manufacturerData=0x004c:1005031c
                advertisement name=Store-Sens services=[0000feaa-0000-1000-8000-00805f9b34fb]
                advertisement truncated=true
                """);
        assertThat(run("ble", "decode", "0201060aff4c001005031cff0f0007ff590001020304").out()).as("two companies' data, both shown")
                .isEqualTo("advertisement flags=0x06 manufacturerData=0x004c:1005031cff0f00,0x0059:01020304\n");
        assertThat(run("ble", "decode", "--as", "mfg", "--json", "4c0010050318").out())
                .isEqualTo("{\"type\":\"advertisement\",\"manufacturerData\":\"0x004c:10050318\"}\n");
    }

    @Test
    void bleDecodeRefusesBadInputInOneLineWithStatus2() {
        Result notHex = run("ble", "decode", "0201zz");
        assertThat(notHex.status()).isEqualTo(2);
        assertThat(notHex.err()).isEqualTo("storegw ble decode: not hex bytes: '0201zz'\n");
        Result cut = run("ble", "decode", "043e0c0201");
        assertThat(cut.status()).isEqualTo(2);
        assertThat(cut.err()).isEqualTo("storegw ble decode: HCI event declares 12 parameter bytes but has 2\n");
        Result missing = run("ble", "decode", "--btsnoop", dir.resolve("none.log").toString());
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
        assertThat(run("ble", "decode").status()).isEqualTo(2);
    }

    @Test
    void bleDecodeReadsABtmonCapture() throws Exception {
        // btsnoop header (datalink 2001, Linux monitor) and one event record (opcode 3) at 2026-11-23T10:00:00Z
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(file);
        out.writeBytes("btsnoop\0");
        out.writeInt(1);
        out.writeInt(2001);
        byte[] event = java.util.HexFormat.of().parseHex("3e0c02010400b30b7c8fe25800d4");
        out.writeInt(event.length);
        out.writeInt(event.length);
        out.writeInt(3);
        out.writeInt(0);
        out.writeLong(java.time.Instant.parse("2026-11-23T10:00:00Z").getEpochSecond() * 1_000_000L + 0x00DCDDB30F2F8000L);
        out.write(event);
        Path capture = Files.write(dir.resolve("btmon.log"), file.toByteArray());
        Result r = run("ble", "decode", "--json", "--btsnoop", capture.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("{\"type\":\"advertisement\",\"time\":\"2026-11-23T10:00:00Z\",\"address\":\"58:E2:8F:7C:0B:B3\","
                + "\"addressType\":\"public\",\"rssi\":-44}\n");
        assertThat(r.err()).contains("1 advertising reports, 0 beacon frames, 0 malformed events");
    }

    @Test
    void posParseShowsWhatWouldBePublishedWithoutPersonalData() throws Exception {
        Path samples = Path.of("..", "device-drivers", "src", "test", "resources", "pos");
        Result text = run("pos", "parse", "--zone", "America/New_York", samples.resolve("ncr_acs_SMALL.xml").toString());
        assertThat(text.status()).isZero();
        assertThat(text.out()).isEqualTo("sale till/34/2017-09-30/161 2017-10-01T06:02:54Z USD 1.07, 1 lines, 1 tenders, 6 rewards, "
                + "loyalty card, poslog-2.1\n");
        assertThat(text.err()).contains("skipped transaction 1 (sequence 160): control transaction", "throwaway key");
        Path config = Files.writeString(dir.resolve("gw.yaml"), "tenant: a\nstore: s042\ngateway: c\ntimeZone: Europe/Berlin\n"
                + "stateDir: " + dir.resolve("state") + "\nuplink:\n  broker: tcp://h:1883\n");
        Result json = run("pos", "parse", "--json", "--config", config.toString(), samples.resolve("roqqio_sale_with_customer.xml").toString());
        assertThat(json.status()).isZero();
        assertThat(json.out()).startsWith("{\"store\":\"s042\",\"workstation\":\"10001\"").contains("\"loyaltyRef\":\"")
                .doesNotContain("T220001293", "Erika", "Heidestrasse");
        assertThat(dir.resolve("state")).as("parse creates nothing").doesNotExist();
    }

    @Test
    void posParseRefusesBadFilesWithTheReason() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.xml"), "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><POSLog>&e;</POSLog>");
        Result r = run("pos", "parse", bad.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains(bad + ": DOCTYPE is not allowed");
        assertThat(run("pos", "parse", dir.resolve("missing.xml").toString()).status()).isEqualTo(2);
        assertThat(run("pos", "parse", "--format", "clover", bad.toString()).status()).isEqualTo(2);
    }

    @Test
    void posParseReadsTheJsonProfilesByNameOrByFormat() throws Exception {
        Path samples = Path.of("..", "device-drivers", "src", "test", "resources", "pos", "json");
        Path hook = Files.copy(samples.resolve("shopify-orders-create.json"), dir.resolve("hook-7.shopify.json"));
        Result byName = run("pos", "parse", hook.toString());
        assertThat(byName.status()).isZero();
        assertThat(byName.out()).isEqualTo("sale till/2/2026-11-21/1042 2026-11-21T19:02:13Z CAD 50.85, 2 lines, 1 tenders, 0 rewards, "
                + "loyalty card, shopify\n");
        Path form = samples.resolve("lightspeed-sale-update.form");
        Result noCurrency = run("pos", "parse", "--format", "lightspeed", form.toString());
        assertThat(noCurrency.status()).isEqualTo(1);
        assertThat(noCurrency.err()).contains("Lightspeed names no currency");
        Result nzd = run("pos", "parse", "--format", "lightspeed", "--currency", "NZD", "--json", form.toString());
        assertThat(nzd.status()).isZero();
        assertThat(nzd.out()).contains("\"currency\":\"NZD\"", "\"total\":\"35.00\"", "\"sourceFormat\":\"lightspeed\"")
                .doesNotContain("Aroha", "Wellington");
    }

    @Test
    void bleScanSaysWhyItCannotScan() {
        Result r = run("ble", "scan", "--seconds", "1", "--bus", "unix:path=" + dir.resolve("no-bus"));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("storegw ble scan: ", "D-Bus at unix:path=" + dir.resolve("no-bus"));
        assertThat(run("ble", "scan", "--seconds", "x").status()).isEqualTo(2);
    }

    /** With --config, the scan listens where that gateway listens (its sources.ble bus and adapter), unless told otherwise. */
    @Test
    void bleScanWithAConfigUsesTheGatewaysBusAndAdapter() throws Exception {
        String gatewaysBus = "unix:path=" + dir.resolve("gateways-bus");
        Path config = Files.writeString(dir.resolve("gw.yaml"), TestConfigs.yaml(dir.resolve("state"), "tcp://127.0.0.1:1883", 0, 0, "")
                .replace("sources:\n", "sources:\n  ble:\n    enabled: true\n    adapter: hci1\n    bus: " + gatewaysBus + "\n"));
        Result r = run("ble", "scan", "--seconds", "1", "--config", config.toString());
        assertThat(r.status()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("storegw ble scan: ", "D-Bus at " + gatewaysBus);
        String other = "unix:path=" + dir.resolve("another-bus");
        assertThat(run("ble", "scan", "--seconds", "1", "--config", config.toString(), "--bus", other).err()).contains("D-Bus at " + other);
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "tenant: a\n");
        Result invalid = run("ble", "scan", "--seconds", "1", "--config", bad.toString());
        assertThat(invalid.status()).isEqualTo(1);
        assertThat(invalid.err()).contains("bad.yaml");
    }

    @Test
    void initWritesACheckedConfigWithSafePermissionsAndNeverOverwritesUnasked() throws Exception {
        Path password = Files.writeString(dir.resolve("mqtt-password"), "s3cret\n");
        Path config = dir.resolve("etc").resolve("storegw.yaml");
        String[] flags = {"init", "--tenant", "acme", "--store", "s042", "--gateway-id", "gw1", "--broker", "tcp://central.example:1883",
                "--username", "s042-gw1", "--password-file", password.toString(), "--state-dir", dir.resolve("state").toString(),
                "--output", config.toString()};
        Result written = run(flags);
        assertThat(written.status()).as(written.err()).isZero();
        assertThat(written.out()).isEqualTo("wrote " + config + " (acme/s042/gw1 -> tcp://central.example:1883)\n");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-r-----");
        assertThat(run("config", "check", config.toString()).status()).as("the daemon's own check").isZero();
        assertThat(Files.readString(config)).contains("passwordFile: " + password).doesNotContain("s3cret");

        Files.writeString(config, Files.readString(config) + "# edited by hand\n");
        Result kept = run(flags);
        assertThat(kept.status()).isEqualTo(1);
        assertThat(kept.err()).contains("exists; keeping it", "--force");
        assertThat(Files.readString(config)).endsWith("# edited by hand\n");
        String[] forced = java.util.Arrays.copyOf(flags, flags.length + 1);
        forced[flags.length] = "--force";
        assertThat(run(forced).status()).isZero();
        assertThat(Files.readString(config)).doesNotContain("edited by hand");
        assertThat(Files.list(config.getParent())).as("no temporary file left").containsExactly(config);
    }

    @Test
    void initRefusesAConfigTheDaemonWouldRefuseAndSaysWhatIsMissing() throws Exception {
        Path config = dir.resolve("storegw.yaml");
        Result bad = run("init", "--tenant", "acme", "--store", "s042", "--gateway-id", "gw1", "--broker", "http://central:1883",
                "--password-file", dir.resolve("nowhere").toString(), "--output", config.toString());
        assertThat(bad.status()).as("a flag's value is a usage error").isEqualTo(2);
        assertThat(bad.err()).contains("not written", "  --broker: expected tcp://host:port or ssl://host:port, got 'http://central:1883'",
                "  --password-file: ").doesNotContain("line ", "uplink.");
        assertThat(config).doesNotExist();

        Result missing = run("init", "--tenant", "acme", "--output", config.toString());
        assertThat(missing.status()).as("tests have no terminal to ask on").isEqualTo(2);
        assertThat(missing.err()).contains("missing --store, --gateway-id, --broker");
        assertThat(config).doesNotExist();
    }

    @Test
    void initTakesCentralsCommandKeyOnlyIfItIsAnEd25519PublicKey() throws Exception {
        Path config = dir.resolve("storegw.yaml");
        Path notAKey = Files.writeString(dir.resolve("central.pub"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        Path cards = Files.write(dir.resolve("cards.key"), new byte[32]);
        String[] flags = {"init", "--tenant", "acme", "--store", "s042", "--gateway-id", "gw1", "--broker", "tcp://central.example:1883",
                "--central-key", notAKey.toString(), "--card-key", cards.toString(), "--state-dir", dir.resolve("state").toString(),
                "--output", config.toString()};
        Result refused = run(flags);
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).contains("--central-key: ", "not an Ed25519 public key");
        assertThat(config).doesNotExist();

        java.security.KeyPair central = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.writeString(notAKey, "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(central.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        Result written = run(flags);
        assertThat(written.status()).as(written.err()).isZero();
        assertThat(Files.readString(config)).contains("publicKey: " + notAKey, "cardKeyFile: " + cards);
    }

    @Test
    void statusAsksTheRunningGatewayOverItsAdminSocket() throws Exception {
        Path socket = dir.resolve("run").resolve("admin.sock");
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        // the admin block closes the test config, so an indented line continues it
        Path config = Files.writeString(state.resolve("storegw.yaml"), io.storegw.gateway.testing.TestConfigs.yaml(state,
                "tcp://127.0.0.1:" + io.storegw.gateway.testing.TestBroker.freePort(), 50, 100, "  socket: " + socket + "\n"));
        // a daemon of its own, as a technician meets it: its logs do not mix with what the command prints
        Process daemon = io.storegw.gateway.testing.GatewayProcess.start(config, dir.resolve("daemon.log"));
        try {
            io.storegw.drivers.testing.Await.until(java.time.Duration.ofSeconds(60), "the admin socket", () -> Files.exists(socket));
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
            io.storegw.drivers.testing.Await.until(java.time.Duration.ofSeconds(30), "the virtual store's 100 observations",
                    () -> run("status", "--socket", socket.toString()).out().contains("100 observations taken"));
            Result r = run("status", "--socket", socket.toString());
            assertThat(r.status()).as("no broker: a problem to report").isEqualTo(1);
            assertThat(r.out()).contains("acme/s042/gw1", "PROBLEM", "uplink   tcp://127.0.0.1:", "NOT connected",
                    "source   virtual: ok", "problem  ");
            Result json = run("status", "--json", "--socket", socket.toString());
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
            assertThat(node.path("gateway").asText()).isEqualTo("acme/s042/gw1");
            assertThat(node.path("uplink").path("connected").asBoolean()).isFalse();
            assertThat(node.path("observations").asLong()).isEqualTo(100);
            assertThat(node.path("backlog").path("rows").asLong()).isPositive();
        } finally {
            daemon.destroy();
            assertThat(daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(socket).as("removed on the way out").doesNotExist();
        Result gone = run("status", "--socket", socket.toString());
        assertThat(gone.status()).isEqualTo(1);
        assertThat(gone.err()).contains("cannot reach the gateway at " + socket, "systemctl status storegw");
    }
}
