package io.storegw.cli;

import static io.storegw.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storegw.cli.Cli.Result;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented daemon commands as a technician runs them (docs/install.md, docs/troubleshooting.md),
 * against a gateway running in its own process: queue, events, zones, receivers, beacons, tills,
 * and that layout changes survive a restart.
 */
class DaemonCommandsTest {

    private static final String BEACON = "ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/100/42";
    private static final Path SAMPLES = Path.of("..", "device-drivers", "src", "test", "resources", "pos");

    @TempDir
    Path dir;

    private Path socket;
    private Path config;
    private int tillPort;
    private Process daemon;
    /** More under {@code sources:} for a test that needs it, set before the first start. */
    private String moreSources = "";
    /** Whether the virtual store runs (it is the daemon's only source that hears BLE). */
    private boolean virtualStore = true;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    /** A gateway with the virtual store (100 observations), the till port, and no broker: everything stays queued. */
    private void startDaemon() throws Exception {
        if (config == null) {
            socket = dir.resolve("run").resolve("admin.sock");
            tillPort = TestBroker.freePort();
            Path state = dir.resolve("state");
            Files.createDirectories(state);
            Path tokens = Files.writeString(dir.resolve("pos-tokens"), "till-1 file-token-0123456789abcdef\n");
            String yaml = TestConfigs.yaml(state, "tcp://127.0.0.1:" + TestBroker.freePort(), 50, 100, "  socket: " + socket + "\n");
            // The admin port chosen here too: left to the OS (port 0), it was once given the till port the test had
            // just freed, and the till's POST met the admin server (405).
            int adminPort = TestBroker.freePort();
            while (adminPort == tillPort) {
                adminPort = TestBroker.freePort();
            }
            yaml = yaml.replace("    port: 0\n", "    port: " + adminPort + "\n");
            if (!virtualStore) {
                yaml = yaml.replace("  virtual:\n", "  virtual:\n    enabled: false\n");
            }
            config = Files.writeString(state.resolve("storegw.yaml"),
                    yaml.replace("sources:\n", "sources:\n" + TestConfigs.posHttp(tillPort, tokens) + moreSources));
        }
        daemon = GatewayProcess.start(config, dir.resolve("daemon.log"));
        Await.until(Duration.ofSeconds(60), "the admin socket", () -> Files.exists(socket));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void stopDaemon() throws InterruptedException {
        daemon.destroy();
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Await.until(Duration.ofSeconds(10), "the socket removed", () -> !Files.exists(socket));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            stopDaemon();
        }
    }

    private Result storegw(String... args) {
        String[] withSocket = new String[args.length + 2];
        System.arraycopy(args, 0, withSocket, 0, args.length);
        withSocket[args.length] = "--socket";
        withSocket[args.length + 1] = socket.toString();
        return run(withSocket);
    }

    private Result ok(String... args) {
        Result r = storegw(args);
        assertThat(r.status()).as("storegw %s: %s %s", List.of(args), r.out(), r.err()).isZero();
        return r;
    }

    private int post(String token) throws Exception {
        return post(token, Files.readAllBytes(SAMPLES.resolve("roqqio_sale_with_customer.xml")));
    }

    private int post(String token, byte[] document) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tillPort + "/pos/v1/poslog"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofByteArray(document)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /**
     * A till set up with a wrong token, a till that sends broken XML, and a people counter that is switched off: before,
     * status said every source was ok, doctor passed, and the journal said nothing of any of it.
     */
    @Test
    void whatTheSourcesRefuseAndTheirProblemsShowInStatusDoctorAndTheJournal() throws Exception {
        int off = TestBroker.freePort();
        String counter = "http://127.0.0.1:" + off + "/local/tvpc/.api?live-sum.json";
        moreSources = """
                  httpCounters:
                    enabled: true
                    poll: 1s
                    counters:
                      - id: door
                        url: %s
                """.formatted(counter);
        virtualStore = false; // tills and a door counter, nothing that hears BLE
        startDaemon();
        Await.until(Duration.ofSeconds(30), "the till port", () -> storegw("status").out().contains("source   pos-http: ok"));
        assertThat(post("file-token-0123456789abcdef", "<POSLog><Transaction>".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(400);
        assertThat(post("a-token-from-another-store")).isEqualTo(401);

        String problem = "counter door: cannot reach " + counter + ": cannot connect (connection refused or closed)";
        Await.until(Duration.ofSeconds(30), "the counter's problem", () -> storegw("status").out().contains(problem));
        Result status = storegw("status");
        assertThat(status.status()).isOne();
        assertThat(status.out()).contains("source   pos-http: ok\n         2 inputs refused since the start; the last: ")
                .containsPattern("the last: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ a poslog post from 127.0.0.1 without a till's token"
                        + " or a valid webhook signature answered 401");
        Result doctor = run("doctor", "--config", config.toString());
        assertThat(doctor.out()).containsPattern("WARN  refused input +pos-http refused 2 since the start; the last: ")
                .contains("fix: a till or device that sends what the gateway cannot read is set up wrong");

        // zones on a gateway where nothing hears BLE: said, instead of a layout that stays quiet for ever
        assertThat(ok("zones", "list").out()).contains("no source hears BLE: zones and receivers hear nothing until sources.ble");
        assertThat(ok("receivers", "list").out()).contains("no receivers placed or heard yet\nno source hears BLE");

        Path log = dir.resolve("daemon.log");
        Await.until(Duration.ofSeconds(10), "the journal's lines", () -> read(log).contains("Source http-counters: " + problem));
        assertThat(read(log)).contains("Source pos-http refused an input (malformed): till till-1: not well-formed XML at line 1",
                "Source pos-http refused an input (unauthorized): a poslog post from 127.0.0.1");
    }

    @Test
    void queueAndEventsShowWhatWaitsAndPurgeReportsWhatWent() throws Exception {
        startDaemon();
        Await.until(Duration.ofSeconds(30), "the virtual store's observations and a telemetry event",
                () -> storegw("status").out().contains("100 observations taken") && storegw("queue", "stats").out().contains("bulk"));
        Await.until(Duration.ofSeconds(30), "a bulk event queued", () -> {
            try {
                return bulk(json.readTree(ok("queue", "stats", "--json").out())) > 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Result stats = ok("queue", "stats");
        assertThat(stats.out()).contains("critical", "normal", "bulk", "all", "oldest", "last sequence committed");
        Result status = storegw("status");
        assertThat(status.out()).contains("rates    ", "observations/s in", "clock    ", "backlog  ");

        Result peek = ok("queue", "peek", "3");
        assertThat(peek.out().lines()).hasSize(3).allSatisfy(l -> assertThat(l).containsPattern("#\\d+"));
        assertThat(peek.out().lines().findFirst().orElseThrow()).contains("#1 ");
        JsonNode first = json.readTree(ok("queue", "peek", "1", "--json").out());
        assertThat(first.path("specversion").asText()).isEqualTo("1.0");
        assertThat(storegw("queue", "peek", "0").status()).isEqualTo(2);

        Path export = dir.resolve("support").resolve("queue.jsonl");
        Files.createDirectories(export.getParent());
        JsonNode before = json.readTree(ok("queue", "stats", "--json").out());
        Result exported = ok("queue", "export", export.toString());
        List<String> lines = Files.readAllLines(export);
        assertThat(lines.size()).as("at least what was queued before").isGreaterThanOrEqualTo((int) before.path("rows").asLong());
        assertThat(exported.out()).contains(String.format("%,d events written to %s", lines.size(), export));
        for (String line : lines) {
            assertThat(json.readTree(line).path("sequence").asText()).hasSize(16);
        }
        assertThat(storegw("queue", "export", export.toString()).status()).as("no overwrite without --force").isEqualTo(2);
        Result nowhere = storegw("queue", "export", export.resolve("under-a-file.jsonl").toString());
        assertThat(nowhere.status()).isEqualTo(1);
        assertThat(nowhere.err()).startsWith("storegw queue export: " + export.resolve("under-a-file.jsonl")).doesNotContain("\tat ");

        Result critical = storegw("queue", "purge", "--class", "critical", "--yes");
        assertThat(critical.status()).isEqualTo(2);
        assertThat(critical.err()).contains("critical events are never purged");
        assertThat(storegw("queue", "purge", "--class", "bulk").err()).as("a script is not asked").contains("add --yes");

        long bulk = bulk(json.readTree(ok("queue", "stats", "--json").out()));
        Result purged = ok("queue", "purge", "--class", "bulk", "--yes");
        assertThat(purged.out()).containsPattern("[\\d,]+ bulk events? removed and reported to central");
        assertThat(Long.parseLong(purged.out().split(" ")[0].replace(",", ""))).isGreaterThanOrEqualTo(bulk);
        Result tail = ok("events", "tail", "--family", "gateway", "--no-follow", "-n", "50");
        assertThat(tail.out()).contains("gateway.dropped", "(purged)");
        assertThat(tail.out().lines()).allSatisfy(l -> assertThat(l).contains(" gateway."));
        JsonNode dropped = json.readTree(ok("events", "tail", "--family", "gateway", "--no-follow", "--json", "-n", "50").out()
                .lines().filter(l -> l.contains("gateway.dropped")).reduce((a, b) -> b).orElseThrow());
        assertThat(dropped.path("data").path("reason").asText()).isEqualTo("purged");
        assertThat(dropped.path("data").path("events").asLong()).isEqualTo(Long.parseLong(purged.out().split(" ")[0].replace(",", "")));
        assertThat(storegw("events", "tail", "--family", "No!").status()).isEqualTo(2);

        Result none = ok("queue", "resend-refused");
        assertThat(none.out()).contains("0 refused events sent again; 0 left in the folder");
        Path kept = Files.createDirectories(dir.resolve("state").resolve("uplink").resolve("refused"))
                .resolve("20261202T120000.000Z-seq7-1.json");
        Files.writeString(kept, "{\"specversion\":\"1.0\",\"id\":\"e-7\",\"type\":\"io.storegw.store.footfall.v1\",\"sequence\":\"00000000000000000007\"}");
        Result offline = storegw("queue", "resend-refused");
        assertThat(offline.status()).as("not sent: this gateway has no broker").isOne();
        assertThat(offline.out()).contains("0 refused events sent again; 1 left in the folder", "problem: uplink disconnected");
        assertThat(kept).exists();
    }

    private static long bulk(JsonNode queue) {
        for (JsonNode c : queue.path("classes")) {
            if (c.path("eventClass").asText().equals("BULK")) {
                return c.path("rows").asLong();
            }
        }
        return 0;
    }

    @Test
    void layoutCommandsApplyAtOnceAndSurviveARestart() throws Exception {
        startDaemon();
        Await.until(Duration.ofSeconds(30), "a receiver heard", () -> storegw("receivers", "list").out().contains("heard "));
        assertThat(ok("zones", "list").out()).contains("no zones").doesNotContain("no source hears BLE");

        assertThat(ok("zones", "add", "entrance", "--receiver", "rx-entrance").out()).contains("zone entrance added (layout version 1)");
        Result dup = storegw("zones", "add", "entrance", "--receiver", "rx-x");
        assertThat(dup.status()).isEqualTo(2);
        assertThat(dup.err()).contains("zone entrance exists");
        Result refused = storegw("zones", "add", "bad name", "--receiver", "rx-x");
        assertThat(refused.status()).as(refused.err()).isEqualTo(2);
        assertThat(refused.err()).contains("presence.zones[1].name");
        ok("zones", "add", "checkout", "--beacon", BEACON);
        assertThat(ok("zones", "list").out()).contains("entrance", "rx-entrance", "checkout", BEACON);

        ok("receivers", "add", "rx-till", "--zone", "checkout", "--offset", "3.5");
        assertThat(ok("receivers", "list").out()).containsPattern("rx-till +zone checkout +offset \\+3\\.5 dB")
                .containsPattern("rx-entrance +zone entrance");
        assertThat(storegw("receivers", "remove", "rx-entrance").err()).contains("zone entrance would be left with nothing marking it");
        assertThat(storegw("receivers", "add", "rx-y", "--zone", "nowhere").err()).contains("no zone nowhere");

        ok("beacons", "add", "eddystone-uid:00112233445566778899/0102030405ff");
        assertThat(ok("beacons", "list").out()).contains(BEACON, "zone checkout", "eddystone-uid:00112233445566778899/0102030405ff");
        assertThat(storegw("beacons", "add", "not-a-beacon").err()).contains("expected a fixed beacon");

        assertThat(post("no-such-token")).isEqualTo(401);
        assertThat(post("file-token-0123456789abcdef")).isEqualTo(202);
        Result till = ok("tills", "add", "till-9");
        String token = till.out().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(token).hasSize(43);
        assertThat(post(token)).isEqualTo(202);
        assertThat(ok("tills", "list").out()).contains("till-1", "tokens file", "till-9", "added with storegw tills add").doesNotContain(token)
                .contains("till port: http://127.0.0.1:" + tillPort + ", on loopback only");
        assertThat(json.readTree(ok("tills", "add", "till-10", "--json").out()).path("tillPort").asText())
                .isEqualTo("http://127.0.0.1:" + tillPort);
        ok("tills", "remove", "till-10");
        assertThat(storegw("tills", "remove", "till-1").err()).contains("remove its line there");

        JsonNode layoutEvent = json.readTree(ok("events", "tail", "--family", "gateway", "--no-follow", "--json", "-n", "100").out()
                .lines().filter(l -> l.contains("gateway.layout")).reduce((a, b) -> b).orElseThrow());
        assertThat(layoutEvent.path("data").path("tills").toString()).isEqualTo("[\"till-9\"]");
        assertThat(layoutEvent.toString()).doesNotContain(token);

        // A technician follows the events through a restart (after a config change, say), as tail -F would
        Path followed = dir.resolve("tail.out");
        Path told = dir.resolve("tail.err");
        Process tail = new ProcessBuilder(GatewayProcess.applianceJava(List.of(), Storegw.class, "events", "tail", "--family", "gateway",
                "--socket", socket.toString())).redirectOutput(followed.toFile()).redirectError(told.toFile()).start();
        try {
            Await.until(Duration.ofSeconds(30), "the tail following", () -> read(followed).contains("gateway.layout"));
            stopDaemon();
            startDaemon();
            assertThat(ok("zones", "list").out()).contains("entrance", "checkout", BEACON);
            ok("tills", "add", "till-after-restart");
            Await.until(Duration.ofSeconds(30), "the tail showing what came after the restart",
                    () -> read(followed).contains("till till-after-restart added"));
            assertThat(tail.isAlive()).isTrue();
            assertThat(Files.readString(told)).contains("the gateway went away; waiting for it to come back", "the gateway is back");
        } finally {
            tail.destroy();
            assertThat(tail.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        ok("tills", "remove", "till-after-restart");
        assertThat(ok("receivers", "list").out()).containsPattern("rx-till +zone checkout +offset \\+3\\.5 dB");
        Await.until(Duration.ofSeconds(30), "the till port", () -> {
            try {
                return post(token) == 202;
            } catch (Exception e) {
                return false;
            }
        });
        ok("tills", "remove", "till-9");
        assertThat(post(token)).isEqualTo(401);
        ok("zones", "remove", "checkout");
        assertThat(ok("zones", "list", "--json").out()).contains("entrance").doesNotContain("checkout");
        assertThat(ok("beacons", "list").out()).doesNotContain(BEACON).contains("eddystone-uid:");
    }
}
