package io.storegw.cli;

import static io.storegw.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.storegw.cli.Cli.Result;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.devices.GpioDevices;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code storegw doctor} against a real broker and a running gateway, and against everything missing. */
class DoctorCommandTest {

    @TempDir
    Path dir;

    /** The checks of a {@code doctor --json} run, by name: verdict, detail. */
    private static Map<String, JsonNode> checks(Result r) throws Exception {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode c : new ObjectMapper().readTree(r.out())) {
            byName.put(c.path("name").asText(), c);
        }
        return byName;
    }

    private static String verdict(Map<String, JsonNode> checks, String name) {
        assertThat(checks).containsKey(name);
        return checks.get(name).path("verdict").asText();
    }

    @Test
    void aHealthyGatewayWithItsBrokerPassesEveryCheckItCanMake() throws Exception {
        Path socket = dir.resolve("run").resolve("admin.sock");
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        int tillPort = TestBroker.freePort();
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            // the till port with no tokens file: tills are to be added from the command line
            Path config = Files.writeString(state.resolve("storegw.yaml"), TestConfigs.yaml(state, broker.uri(), 50, 100, "  socket: " + socket + "\n")
                    .replace("sources:\n", "sources:\n  pos:\n    http:\n      enabled: true\n      port: " + tillPort + "\n"
                            + "  localMqtt:\n    enabled: true\n    broker: " + broker.uri() + "\n"));
            Process daemon = GatewayProcess.start(config, dir.resolve("daemon.log"));
            try {
                Await.until(Duration.ofSeconds(60), "a healthy gateway", () -> run("status", "--socket", socket.toString()).status() == 0);
                Result r = run("doctor", "--config", config.toString(), "--json");
                Map<String, JsonNode> checks = checks(r);
                assertThat(checks.keySet()).containsExactly("config", "admin socket", "broker DNS", "broker TCP", "broker TLS",
                        "broker login", "test publish", "broker packet size", "state topic", "clock", "disk", "outbox files", "till port",
                        "store broker", "refused input", "central commands", "D-Bus", "Bluetooth", "GPIO");
                assertThat(verdict(checks, "config")).isEqualTo("OK");
                assertThat(verdict(checks, "admin socket")).isEqualTo("OK");
                assertThat(verdict(checks, "broker DNS")).isEqualTo("OK");
                assertThat(verdict(checks, "broker TCP")).isEqualTo("OK");
                assertThat(verdict(checks, "broker TLS")).as("plain TCP is worth a warning").isEqualTo("WARN");
                assertThat(verdict(checks, "broker login")).isEqualTo("OK");
                assertThat(verdict(checks, "test publish")).isEqualTo("OK");
                assertThat(checks.get("test publish").path("detail").asText()).contains("storegw/v1/acme/s042/gw1/doctor");
                assertThat(verdict(checks, "broker packet size")).isEqualTo("OK");
                assertThat(verdict(checks, "state topic")).isEqualTo("OK");
                assertThat(verdict(checks, "disk")).isEqualTo("OK");
                assertThat(verdict(checks, "outbox files")).isEqualTo("OK");
                assertThat(verdict(checks, "refused input")).isEqualTo("OK");
                assertThat(verdict(checks, "store broker")).isEqualTo("OK");
                assertThat(checks.get("store broker").path("detail").asText()).isEqualTo("logged in to " + broker.uri() + " as (no user name)");
                assertThat(verdict(checks, "central commands")).as("no commands.publicKey").isEqualTo("SKIP");
                assertThat(verdict(checks, "D-Bus")).isEqualTo("SKIP");
                assertThat(verdict(checks, "GPIO")).isEqualTo("SKIP");
                // this machine's clock may or may not be synchronised: the verdict decides the exit status, nothing else does
                assertThat(r.status()).isEqualTo(verdict(checks, "clock").equals("FAIL") ? 1 : 0);

                // tests listen on loopback only, which is worth a warning for a till port: tills are on the store's network
                assertThat(verdict(checks, "till port")).isEqualTo("WARN");
                assertThat(checks.get("till port").path("detail").asText()).contains("open at http://127.0.0.1:" + tillPort + ", taking 0 tills",
                        "no till may post yet", "loopback only");
                assertThat(checks.get("till port").path("fix").asText()).contains("storegw tills add NAME", "sources.pos.http.host");
                assertThat(Files.readString(dir.resolve("daemon.log"))).contains("The till port takes no till yet");

                assertThat(run("tills", "add", "till-1", "--socket", socket.toString()).status()).isZero();
                Result text = run("doctor", "--config", config.toString());
                assertThat(text.out()).contains("OK    broker login", "WARN  broker TLS", "fix: use ssl://", "doctor: ")
                        .containsPattern("WARN  till port +open at http://127.0.0.1:" + tillPort + ", taking 1 till; it is on loopback only")
                        .doesNotContain("no till may post yet");
            } finally {
                daemon.destroy();
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /** A broker that takes smaller packets than the largest event (AWS IoT Core takes 128 KB) is worth a warning. */
    @Test
    void aBrokerTakingSmallerPacketsThanTheLargestEventIsWorthAWarning() throws Exception {
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"), new TestBroker.Refusing("nothing/", 128 * 1024))) {
            broker.start();
            Path config = Files.writeString(state.resolve("storegw.yaml"),
                    TestConfigs.yaml(state, broker.uri(), 50, 100, "  socket: " + dir.resolve("nobody-home.sock") + "\n"));
            Map<String, JsonNode> checks = checks(run("doctor", "--config", config.toString(), "--json"));
            assertThat(verdict(checks, "test publish")).isEqualTo("OK");
            assertThat(verdict(checks, "broker packet size")).isEqualTo("WARN");
            assertThat(checks.get("broker packet size").path("detail").asText()).contains("at most 131072 bytes", "code 149",
                    state.resolve("uplink").resolve("refused").toString());
            assertThat(checks.get("broker packet size").path("fix").asText()).contains("raise the broker's maximum packet size");
        }
    }

    /**
     * A till port another program holds: the gateway runs on without it and says so, and doctor takes the gateway's word
     * over a connect (which the other program answers).
     */
    @Test
    void aTillPortTakenByAnotherProgramFails() throws Exception {
        Path socket = dir.resolve("run").resolve("admin.sock");
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        try (ServerSocket taken = new ServerSocket(TestBroker.freePort(), 50, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(state.resolve("storegw.yaml"), TestConfigs.withSources(
                    TestConfigs.yaml(state, "tcp://127.0.0.1:" + TestBroker.freePort(), 50, 100, "  socket: " + socket + "\n"),
                    TestConfigs.posHttp(taken.getLocalPort(), Files.writeString(dir.resolve("pos-tokens"), "till-1 file-token-0123456789abcdef\n"))));
            Process daemon = GatewayProcess.start(config, dir.resolve("daemon.log"));
            try {
                Await.until(Duration.ofSeconds(60), "the gateway answering", () -> run("status", "--socket", socket.toString()).out().contains("pos-http"));
                assertThat(run("status", "--socket", socket.toString()).out()).contains("pos-http: cannot listen on 127.0.0.1:" + taken.getLocalPort());
                Map<String, JsonNode> checks = checks(run("doctor", "--config", config.toString(), "--json"));
                assertThat(verdict(checks, "till port")).isEqualTo("FAIL");
                assertThat(checks.get("till port").path("detail").asText()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
                assertThat(checks.get("till port").path("fix").asText()).contains("ss -ltnp 'sport = :" + taken.getLocalPort() + "'");
            } finally {
                daemon.destroy();
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /**
     * A policy that allows the events and not the retained state on {@code .../state}: the test publish passes, and only
     * the running gateway can tell. It forwards the events; status and doctor say what central's broker refuses.
     */
    @Test
    void aBrokerRefusingTheGatewaysStateIsWorthAWarning() throws Exception {
        Path socket = dir.resolve("run").resolve("admin.sock");
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        String stateTopic = "storegw/v1/acme/s042/gw1/state";
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"), new TestBroker.Refusing(stateTopic, 2 << 20))) {
            broker.start();
            Path config = Files.writeString(state.resolve("storegw.yaml"),
                    TestConfigs.yaml(state, broker.uri(), 50, 100, "  socket: " + socket + "\n"));
            Process daemon = GatewayProcess.start(config, dir.resolve("daemon.log"));
            try {
                Await.until(Duration.ofSeconds(60), "the gateway's events at central's broker, its state refused",
                        () -> Pattern.compile(" connected +[1-9][\\d,]* published").matcher(run("status", "--socket", socket.toString()).out()).find());
                Result status = run("status", "--socket", socket.toString());
                assertThat(status.out()).contains("refuses the gateway's state on " + stateTopic, "events go on");

                Map<String, JsonNode> checks = checks(run("doctor", "--config", config.toString(), "--json"));
                assertThat(verdict(checks, "test publish")).isEqualTo("OK");
                assertThat(verdict(checks, "state topic")).isEqualTo("WARN");
                assertThat(checks.get("state topic").path("fix").asText()).contains("retained", stateTopic, "iot:RetainPublish");
            } finally {
                daemon.destroy();
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /**
     * Central signing with a key other than the gateway's {@code commands.publicKey} (every command refused), then naming
     * a response topic the gateway may not publish on (every command carried out, none answered): before, only the
     * journal said so; the store looked healthy to status and doctor.
     */
    @Test
    void centralsCommandsRefusedShowInStatusAndDoctorWithWhatToCheck() throws Exception {
        Path socket = dir.resolve("run").resolve("admin.sock");
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        KeyPair central = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path publicKey = Files.writeString(dir.resolve("central.pub"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(central.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"), new TestBroker.Refusing("central/answers/", 2 << 20))) {
            broker.start();
            Path config = Files.writeString(state.resolve("storegw.yaml"), TestConfigs.yaml(state, broker.uri(), 50, 100, "  socket: " + socket + "\n")
                    + "commands:\n  publicKey: " + publicKey + "\n");
            Process daemon = GatewayProcess.start(config, dir.resolve("daemon.log"));
            try {
                Await.until(Duration.ofSeconds(60), "the uplink", () -> run("status", "--socket", socket.toString()).out().contains(" connected "));
                assertThat(run("status", "--socket", socket.toString()).out()).contains("\ncentral  members held: 0; commands taken since the start: 0\n");
                Map<String, JsonNode> before = checks(run("doctor", "--config", config.toString(), "--json"));
                assertThat(before.get("central commands").path("verdict").asText()).isEqualTo("OK");
                assertThat(before.get("central commands").path("detail").asText())
                        .isEqualTo("members held: 0; commands taken since the gateway started: 0, not taken: none");

                sendPing(broker, KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), null); // not central's key
                Await.until(Duration.ofSeconds(20), "the refusal", () -> run("status", "--socket", socket.toString()).out().contains("not taken: 1"));
                assertThat(run("status", "--socket", socket.toString()).out()).containsPattern("\ncentral  members held: 0; commands taken"
                        + " since the start: 0\n         not taken: 1; the last: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ping refused"
                        + " \\(bad-signature\\): the signature does not match central's key and this payload\n");
                Map<String, JsonNode> after = checks(run("doctor", "--config", config.toString(), "--json"));
                assertThat(after.get("central commands").path("verdict").asText()).isEqualTo("WARN");
                assertThat(after.get("central commands").path("fix").asText())
                        .isEqualTo("central signs with a key that is not the one in commands.publicKey (" + publicKey
                                + "): compare it with central's (openssl pkey -in central.key -pubout)");
                assertThat(Files.readString(dir.resolve("daemon.log"))).contains("Command ping refused (bad-signature)");

                // central's key, and a response topic the broker does not let the gateway publish on: carried out, unanswered
                sendPing(broker, central, "central/answers/1");
                Await.until(Duration.ofSeconds(20), "the answer refused",
                        () -> run("status", "--socket", socket.toString()).out().contains("answers central's broker refused: 1"));
                assertThat(run("status", "--socket", socket.toString()).out()).contains("commands taken since the start: 1\n")
                        .containsPattern("\n         answers central's broker refused: 1; the last: \\S+ on central/answers/1: not authorized");
                Map<String, JsonNode> unanswered = checks(run("doctor", "--config", config.toString(), "--json"));
                assertThat(unanswered.get("central commands").path("verdict").asText()).isEqualTo("WARN");
                assertThat(unanswered.get("central commands").path("fix").asText()).startsWith("the gateway may not publish on the response"
                        + " topic central names: let its ACL allow that topic, or have central name response topics under storegw/v1/acme/s042/gw1/");
            } finally {
                daemon.destroy();
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /** Publishes a ping signed by {@code signer} as central would, with {@code responseTopic} (or none). */
    private static void sendPing(TestBroker broker, KeyPair signer, String responseTopic) throws Exception {
        byte[] ping = ("{\"name\": \"ping\", \"issued\": \"" + Instant.now() + "\", \"nonce\": \"" + UUID.randomUUID()
                + "\", \"body\": {}}").getBytes(StandardCharsets.UTF_8);
        Signature ed = Signature.getInstance("Ed25519");
        ed.initSign(signer.getPrivate());
        ed.update(ping);
        MqttAsyncClient client = new MqttAsyncClient(broker.uri(), "central-test", new MemoryPersistence());
        try {
            client.connect().waitForCompletion(10_000);
            MqttMessage message = new MqttMessage(ping, 1, false, new MqttProperties());
            message.getProperties().setUserProperties(List.of(new UserProperty("signature", Base64.getEncoder().encodeToString(ed.sign()))));
            message.getProperties().setResponseTopic(responseTopic);
            client.publish("storegw/v1/acme/s042/gw1/cmd/ping", message).waitForCompletion(10_000);
        } finally {
            client.disconnect().waitForCompletion(10_000);
            client.close();
        }
    }

    @Test
    void everythingMissingIsNamedWithAFix() throws Exception {
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        Path config = Files.writeString(state.resolve("storegw.yaml"), TestConfigs.yaml(state,
                "tcp://127.0.0.1:" + TestBroker.freePort(), 50, 100, "  socket: " + dir.resolve("nobody-home.sock") + "\n")
                .replace("sources:\n", "sources:\n  ble:\n    enabled: true\n    bus: unix:path=" + dir.resolve("no-bus") + "\n"
                        + "  localMqtt:\n    enabled: true\n    broker: tcp://127.0.0.1:" + TestBroker.freePort() + "\n")
                + "gpio:\n  doorCounter:\n    enabled: true\n    door: main\n    outer: {pin: 17}\n    inner: {pin: 27}\n"
                + "outbox:\n  diskReserve: 1000000GB\n"); // more than any disk here: the outbox would take no more room
        Files.write(state.resolve("outbox.mv.quarantine-20261203T120000Z"), new byte[2048]); // one the gateway salvaged
        Result r = run("doctor", "--config", config.toString(), "--timeout", "3");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("WARN  outbox files", "1 damaged outbox file kept", "outbox.mv.quarantine-20261203T120000Z",
                "fix: keep them only while central may want the events they hold");
        assertThat(r.out()).contains("OK    config", "FAIL  admin socket", "is it running? systemctl status storegw",
                "OK    broker DNS", "FAIL  broker TCP", "fix: is the port right", "FAIL  D-Bus", "SKIP  Bluetooth",
                "FAIL  disk", "fix: free space: the outbox is taking no more room", "SKIP  state topic", "doctor: ",
                "FAIL  store broker", "cannot log in to tcp://127.0.0.1:", "fix: is the store's broker running");
        assertThat(r.out()).doesNotContain("broker login").containsPattern("doctor: \\d+ checks failed");
        if (GpioDevices.chips(Path.of("/dev")).isEmpty()) {
            assertThat(r.out()).contains("FAIL  GPIO", "no /dev/gpiochip*: this is not a Pi");
        } else {
            assertThat(r.out()).containsPattern("(OK  |FAIL)  GPIO +/dev/gpiochip");
        }

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "tenant: a\n");
        Result invalid = run("doctor", "--config", bad.toString());
        assertThat(invalid.status()).isEqualTo(1);
        assertThat(invalid.out()).contains("FAIL  config", "store: required", "fix: fix each line named").doesNotContain("broker TCP");
    }
}
