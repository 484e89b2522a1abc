package io.storegw.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private static final String MINIMAL = """
            tenant: acme
            store: s042
            gateway: gw1
            uplink:
              broker: tcp://broker.example.com:1883
            """;

    private ConfigException problems(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("storegw.yaml", yaml, dir));
    }

    @Test
    void localMqttDevicesAreCheckedKeyByKey() {
        ConfigException e = problems(MINIMAL + """
                sources:
                  localMqtt:
                    enabled: true
                    broker: mqtt://localhost
                    offlineAfter: 1s
                    devices:
                      - topic: store/#/weight
                        kind: shelf
                      - topic: store/fridges/+
                        device: fridge-{2}
                        kind: fridge
                        values:
                          - field: tempc
                """);
        assertThat(e.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder(
                "sources.localMqtt.broker", "sources.localMqtt.offlineAfter", "sources.localMqtt.devices[0].topic",
                "sources.localMqtt.devices[0].device", "sources.localMqtt.devices[0].values",
                "sources.localMqtt.devices[1].values[0].quantity");
        assertThat(e.getMessage()).contains("not an MQTT topic filter: 'store/#/weight'", "to count messages");

        ConfigException counters = problems(MINIMAL + """
                sources:
                  httpCounters:
                    enabled: true
                    counters:
                      - id: main door
                        url: ftp://camera/live-sum.json
                """);
        assertThat(counters.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder(
                "sources.httpCounters.counters[0].id", "sources.httpCounters.counters[0].url");

        ConfigException ble = problems(MINIMAL + """
                sources:
                  ble:
                    enabled: true
                    driver: tinyb
                    adapter: bluetooth0
                """);
        assertThat(ble.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder(
                "sources.ble.driver", "sources.ble.adapter");
        assertThat(ble.getMessage()).contains("expected bluez");

        ConfigException zones = problems(MINIMAL + """
                presence:
                  zones:
                    - {name: entrance, receivers: [door]}
                    - {name: the aisles, receivers: [door]}
                    - {name: coffee, beacons: ["ibeacon:e5b9e3a6-27e2-4c36-a257-7698da5fc140/7/1", "shelf-7"]}
                    - {name: coffee}
                  wins: 0
                  exitAfter: 2m
                  visitEndAfter: 1m
                  filter: particle
                """);
        assertThat(zones.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder(
                "presence.zones[1].name", "presence.zones[1].receivers", "presence.zones[2].beacons", "presence.zones[3].name",
                "presence.zones[3]", "presence.wins", "presence.visitEndAfter", "presence.filter");
        assertThat(zones.getMessage()).contains("receiver door is already in another zone", "got 'shelf-7'",
                "zone coffee is defined twice", "expected receivers or beacons", "expected median or kalman");
    }

    @Test
    void relativePathsAreTheConfigFilesNeighbours() throws Exception {
        Files.writeString(dir.resolve("pos-tokens"), "till-1 0123456789abcdef\n");
        GatewayConfig c = ConfigLoader.parse("storegw.yaml", MINIMAL + """
                stateDir: state
                sources:
                  pos:
                    http:
                      enabled: true
                      tokensFile: pos-tokens
                """, dir);
        assertThat(c.stateDir()).isEqualTo(dir.resolve("state"));
        assertThat(c.sources().pos().http().tokensFile()).isEqualTo(dir.resolve("pos-tokens")).isReadable();
        assertThat(ConfigLoader.parse("storegw.yaml", MINIMAL + "stateDir: /var/lib/x\n", dir)
                .stateDir()).isEqualTo(Path.of("/var/lib/x"));
    }

    @Test
    void aMinimalFileGetsSaneDefaults() throws Exception {
        GatewayConfig c = ConfigLoader.parse("storegw.yaml", MINIMAL, dir);
        assertThat(c.clientId()).isEqualTo("storegw-acme-s042-gw1");
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/storegw"));
        assertThat(c.outboxPath()).isEqualTo(Path.of("/var/lib/storegw/outbox"));
        assertThat(c.outbox().budget().bytes()).isEqualTo(256L << 20);
        assertThat(c.uplink().keepAlive()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.uplink().backoff().cap()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.admin().http().host()).isEqualTo("127.0.0.1");
        assertThat(c.sources().virtual()).isNull();
        assertThat(c.countsDoors()).as("no door counter, so no footfall").isFalse();
        assertThat(c.hearsBle()).as("no radio, no ESPresense, no virtual store").isFalse();
        assertThat(ConfigLoader.parse("storegw.yaml", MINIMAL + "sources:\n  localMqtt:\n    enabled: true\n", dir).hearsBle()).isTrue();
        assertThat(ConfigLoader.parse("storegw.yaml", MINIMAL + "sources:\n  localMqtt:\n    enabled: true\n    espresense: {enabled: false}\n"
                + "    btToMqtt: {enabled: false}\n", dir).hearsBle()).as("the store's devices only").isFalse();
        assertThat(ConfigLoader.parse("storegw.yaml", MINIMAL + "sources:\n  virtual: {}\n", dir).countsDoors()).isTrue();
        assertThat(ConfigLoader.parse("storegw.yaml", MINIMAL + "gpio:\n  doorCounter:\n    outer: {pin: 17}\n    inner: {pin: 27}\n", dir)
                .countsDoors()).isTrue();
    }

    @Test
    void theShippedExamplesAreValid() throws Exception {
        assertThat(ConfigLoader.parse("demo.yaml", Files.readString(Path.of("..", "examples", "demo.yaml")), dir).tenant())
                .isEqualTo("demo");
        // The production example names credential files that exist only on a provisioned appliance.
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse("storegw.yaml", Files.readString(Path.of("..", "examples", "storegw.yaml")), dir));
        assertThat(e.problems()).extracting(ConfigException.Problem::key)
                .containsExactlyInAnyOrder("uplink.passwordFile", "uplink.tls.ca", "uplink.tls.cert", "uplink.tls.key",
                        "sources.pos.http.tokensFile");
        assertThat(e.problems()).allSatisfy(p -> assertThat(p.message()).startsWith("cannot read file /etc/storegw/"));
    }

    @Test
    void tillInputIsCheckedAndNeedsNoTokensFile() throws Exception {
        // tills may all be added with storegw tills add once the gateway runs
        GatewayConfig noFile = ConfigLoader.parse("storegw.yaml", MINIMAL + "sources:\n  pos:\n    http:\n      enabled: true\n", dir);
        assertThat(noFile.sources().pos().http().tokensFile()).isNull();
        ConfigException e = problems(MINIMAL + "sources:\n  pos:\n    http:\n      enabled: true\n      tokensFile: no-such-tokens\n"
                + "    maxDocument: 9MB\n");
        assertThat(e.problems()).extracting(ConfigException.Problem::key)
                .containsExactlyInAnyOrder("sources.pos.http.tokensFile", "sources.pos.maxDocument");
        assertThat(e.getMessage()).contains("cannot read file " + dir.resolve("no-such-tokens"));

        ConfigException webhooks = problems(MINIMAL + """
                sources:
                  pos:
                    currency: euro
                    http:
                      enabled: true
                      square:
                        notificationUrl: http://hooks.example.com/square
                      shopify:
                        secretFile: no-such-secret
                      tls:
                        certificate: no-such.pem
                    spool:
                      keepDone: 400d
                """);
        assertThat(webhooks.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder(
                "sources.pos.currency", "sources.pos.http.square.signatureKeyFile", "sources.pos.http.square.notificationUrl",
                "sources.pos.http.shopify.secretFile", "sources.pos.http.tls.certificate", "sources.pos.http.tls.key",
                "sources.pos.spool.keepDone");
        assertThat(webhooks.getMessage()).contains("exactly as the Square webhook subscription names it", "ISO 4217",
                "cannot read file " + dir.resolve("no-such-secret"));
    }

    @Test
    void anUnknownKeyIsAnErrorWithItsLineAndTheKeysThatWouldFit() {
        ConfigException e = problems(MINIMAL + "outbox:\n  budgett: 10MB\n");
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("outbox.budgett");
            assertThat(p.line()).isEqualTo(7);
            assertThat(p.message()).contains("unknown key 'budgett'").contains("budget").contains("ttl");
        });
        assertThat(e.getMessage()).startsWith("storegw.yaml: line 7: outbox.budgett: unknown key");
    }

    @Test
    void everyUnknownKeyIsReportedWithTheOtherProblemsInLineOrder() {
        ConfigException e = problems("""
                tenant: acme
                store: s042
                gatway: gw1
                uplink:
                  broker: http://broker:80
                  keepalive: 30s
                presence:
                  zones:
                    - name: entrance
                      recievers: [door]
                    - name: ""
                outbox:
                  retention:
                    bulk: 1d
                """);
        assertThat(e.problems()).extracting(ConfigException.Problem::line, ConfigException.Problem::key).containsExactly(
                tuple(3, "gatway"), tuple(5, "uplink.broker"), tuple(6, "uplink.keepalive"), tuple(9, "presence.zones[0]"),
                tuple(10, "presence.zones[0].recievers"), tuple(11, "presence.zones[1].name"), tuple(11, "presence.zones[1]"),
                tuple(13, "outbox.retention"), tuple(0, "gateway"));
        assertThat(e.problems().get(0).message()).startsWith("unknown key 'gatway' (expected one of: ").contains("gateway");
        assertThat(e.problems().get(4).message()).contains("unknown key 'recievers'", "receivers");
        assertThat(e.problems().get(3).message()).as("what the misspelt key leaves behind").contains("receivers");
        // A value of the wrong form ends Jackson's binding; the rest of the file is still read and checked.
        ConfigException wrongForm = problems("""
                tenant: [acme, other]
                stor: s042
                gateway: gw1
                uplink:
                  broker: http://broker:80
                  keepAlive: soon
                outbox:
                  budget: lots
                presence:
                  zones:
                    - {name: entrance, receivers: door}
                """);
        assertThat(wrongForm.problems()).extracting(ConfigException.Problem::line, ConfigException.Problem::key).containsExactly(
                tuple(1, "tenant"), tuple(2, "stor"), tuple(5, "uplink.broker"), tuple(6, "uplink.keepAlive"),
                tuple(8, "outbox.budget"), tuple(11, "presence.zones[0].receivers"), tuple(11, "presence.zones[0]"), tuple(0, "store"));
        assertThat(wrongForm.problems()).extracting(ConfigException.Problem::message).containsExactly(
                "expected a text value", wrongForm.problems().get(1).message(), "expected tcp://host:port or ssl://host:port, got 'http://broker:80'",
                "expected a duration such as 250ms, 30s, 5m, 2h or 7d", "expected a size such as 64MB or 1GB, got 'lots'",
                "expected a list: [a, b], or a '- item' line for each", wrongForm.problems().get(6).message(), "required");
    }

    @Test
    void aValueOfTheWrongFormNamesKeyLineAndTheExpectedForm() {
        ConfigException e = problems(MINIMAL + "  keepAlive: soon\n");
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("uplink.keepAlive");
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).contains("30s");
        });
        ConfigException size = problems(MINIMAL + "outbox:\n  budget: lots\n");
        assertThat(size.problems().get(0).message()).contains("64MB");
        assertThat(size.problems().get(0).line()).isEqualTo(7);
    }

    @Test
    void everyProblemAfterBindingIsReportedAtOnceWithItsLine() {
        ConfigException e = problems("""
                tenant: acme/eu
                store: s042
                timeZone: Mars/Olympus
                uplink:
                  broker: http://broker:80
                  maxInflight: 0
                  passwordFile: /nonexistent/secret
                outbox:
                  ttl:
                    pos.nothing: 1d
                """);
        assertThat(e.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder(
                "tenant", "gateway", "timeZone", "uplink.broker", "uplink.username", "uplink.passwordFile",
                "uplink.maxInflight", "outbox.ttl.pos.nothing");
        assertThat(e.problems()).filteredOn(p -> p.key().equals("tenant")).singleElement()
                .satisfies(p -> assertThat(p.line()).isEqualTo(1));
        assertThat(e.problems()).filteredOn(p -> p.key().equals("uplink.broker")).singleElement()
                .satisfies(p -> assertThat(p.line()).isEqualTo(5));
        assertThat(e.problems()).filteredOn(p -> p.key().equals("gateway")).singleElement()
                .satisfies(p -> assertThat(p.message()).isEqualTo("required"));
    }

    @Test
    void brokenYamlAndMissingFilesSayWhatIsWrong() throws Exception {
        ConfigException syntax = problems("tenant: acme\nstore: 'unclosed\ngateway: gw1\n");
        assertThat(syntax.problems().get(0).message()).startsWith("not valid YAML");
        assertThat(syntax.problems().get(0).line()).isPositive();
        ConfigException list = problems(MINIMAL.replace("tenant: acme", "tenant: [acme, other]"));
        assertThat(list.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("tenant");
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.message()).isEqualTo("expected a text value");
        });
        ConfigException missing = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml")));
        assertThat(missing.getMessage()).endsWith("nope.yaml: no such file");
        assertThat(problems("").problems().get(0).message()).isEqualTo("the file is empty");

        // a tab where an indent belongs: the line the tab is on, not the one before it
        ConfigException tab = problems("tenant: acme\nstore: s1\n\tgateway: gw1\n");
        assertThat(tab.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.message()).startsWith("not valid YAML").contains("TAB");
        });
        Path binary = Files.write(dir.resolve("binary.yaml"), new byte[] {'t', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(binary)).getMessage())
                .endsWith("binary.yaml: not UTF-8 text: a config is a YAML text file (was a binary file named?)");
        Path huge = Files.writeString(dir.resolve("huge.yaml"), MINIMAL + "#".repeat((int) ConfigLoader.MAX_BYTES));
        assertThat(catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(huge)).getMessage())
                .endsWith("huge.yaml: larger than 1024 KB: not a storegw config (a config is a page of YAML)");
    }

    /** A key given twice would have the second silently win over the first: a technician's second {@code uplink:} section, say. */
    @Test
    void aKeyGivenTwiceIsAnErrorWithTheSecondsLine() {
        ConfigException top = problems(MINIMAL + "tenant: other\n");
        assertThat(top.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("tenant");
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).startsWith("given twice in the same section");
        });
        ConfigException nested = problems(MINIMAL + "  keepAlive: 30s\n  broker: tcp://other.example.com:1883\n");
        assertThat(nested.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("uplink.broker");
            assertThat(p.line()).isEqualTo(7);
        });
        ConfigException sections = problems(MINIMAL + "uplink:\n  broker: tcp://other.example.com:1883\n");
        assertThat(sections.problems()).extracting(ConfigException.Problem::key).containsExactly("uplink");
    }

    @Test
    void tlsNeedsAnSslBrokerAndBothHalvesOfAClientIdentity() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        ConfigException e = problems(MINIMAL + "  tls:\n    ca: " + ca + "\n    cert: " + ca + "\n");
        assertThat(e.problems()).extracting(ConfigException.Problem::key).containsExactlyInAnyOrder("uplink.tls", "uplink.tls");
        assertThat(e.problems()).extracting(ConfigException.Problem::message)
                .anyMatch(m -> m.contains("ssl://")).anyMatch(m -> m.contains("both cert and key"));
    }
}
