package io.storegw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.Errors;
import io.storegw.drivers.ble.bluez.BlueZAdapters;
import io.storegw.gateway.config.ConfigException;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.devices.GpioDevices;
import io.storegw.gateway.health.ClockSync;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.uplink.Failures;
import io.storegw.gateway.uplink.PemTls;
import io.storegw.gateway.uplink.Uplink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code storegw doctor}: every check a technician would make by hand, each with a verdict and a fix. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check the gateway and what it depends on; each check gets a verdict and a fix hint.",
                "The checks: config valid, admin socket, broker (DNS, TCP, TLS and certificate expiry, login, a test publish, the state topic),"
                + " clock synchronised, disk space for the outbox, damaged outbox files kept beside it, the till port (open, reachable from the"
                + " store's network, taking a till), the store's MQTT broker (login), input the sources refused, Bluetooth (D-Bus, bluetoothd, adapter powered), GPIO.",
                "Exit status 0 when nothing failed (warnings allowed), 1 when a check failed."})
final class DoctorCommand implements Callable<Integer> {

    /** How one check came out. */
    enum Verdict { OK, WARN, FAIL, SKIP }

    /** One check: what, the verdict, what was found, and what to do about it (null when nothing). */
    record Check(String name, Verdict verdict, String detail, String fix) {
    }

    /** Certificates that expire within this are a warning. */
    private static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "/etc/storegw/storegw.yaml", description = "Config file (default: ${DEFAULT-VALUE}).")
    Path file;

    @Option(names = "--socket", paramLabel = "PATH", description = "The admin socket (default: admin.socket of the config).")
    Path socket;

    @Option(names = "--json", description = "Print the checks as JSON.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10", description = "Network timeout per check (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    private final List<Check> checks = new ArrayList<>();

    @Override
    public Integer call() {
        GatewayConfig config;
        try {
            config = ConfigLoader.load(file);
            add("config", Verdict.OK, file + " is valid (" + config.identity().name() + ")", null);
        } catch (ConfigException e) {
            add("config", Verdict.FAIL, e.getMessage(), "fix each line named, then: storegw config check " + file);
            return report();
        }
        JsonNode status = adminSocket(config);
        broker(config);
        stateTopic(config, status);
        clock();
        disk(config);
        keptOutboxFiles(config);
        tillPort(config, status);
        storeBroker(config);
        refusedInput(status);
        centralCommands(config, status);
        bluetooth(config);
        gpio(config);
        return report();
    }

    private void add(String name, Verdict verdict, String detail, String fix) {
        checks.add(new Check(name, verdict, detail, fix));
    }

    private int report() {
        long failed = checks.stream().filter(c -> c.verdict() == Verdict.FAIL).count();
        long warned = checks.stream().filter(c -> c.verdict() == Verdict.WARN).count();
        if (json) {
            System.out.println(JsonLine.of(checks));
        } else {
            int names = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
            String indent = " ".repeat(6 + names + 1);
            for (Check c : checks) {
                System.out.printf(Locale.ROOT, "%-5s %-" + names + "s %s%n", c.verdict(), c.name(), c.detail().replace("\n", "\n" + indent));
                if (c.fix() != null && c.verdict() != Verdict.OK && c.verdict() != Verdict.SKIP) {
                    System.out.println(indent + "fix: " + c.fix());
                }
            }
            System.out.println(failed == 0 ? "doctor: all checks passed" + (warned == 0 ? "" : " (" + Plural.of(warned, "warning") + ")")
                    : "doctor: " + Plural.of(failed, "check") + " failed");
        }
        return failed == 0 ? 0 : 1;
    }

    private Path socket(GatewayConfig config) {
        return socket != null ? socket : config.admin().socket();
    }

    /** The running gateway's {@code /status}, or null when it does not answer. */
    private JsonNode adminSocket(GatewayConfig config) {
        Path path = socket(config);
        if (path == null) {
            add("admin socket", Verdict.WARN, "admin.socket is not set: storegw status and the other daemon commands cannot ask the gateway",
                    "set admin.socket: /run/storegw/admin.sock (storegw init does)");
            return null;
        }
        try {
            AdminSocket.Answer a = AdminSocket.get(path, "/healthz");
            if (a.status() == 200) {
                add("admin socket", Verdict.OK, "the gateway answers at " + path + " and is healthy", null);
            } else {
                add("admin socket", Verdict.FAIL, "the gateway answers at " + path + " but reports: " + a.body().strip(),
                        "storegw status shows more; journalctl -u storegw shows why");
            }
            return AdminSocket.json(path, "GET", "/status", null);
        } catch (IOException e) {
            add("admin socket", Verdict.FAIL, "cannot reach the gateway at " + path + ": " + e.getMessage(),
                    "is it running? systemctl status storegw; are you in the storegw group (or root)?");
        } catch (AdminSocket.Failure e) {
            add("gateway status", Verdict.WARN, "the gateway did not give its status: " + e.getMessage(), null);
        }
        return null;
    }

    /**
     * Whether central's broker takes the gateway's state and Will, as the running gateway found: the test publish
     * cannot tell (a policy may allow the events and not the retained state), and publishing a state here would
     * overwrite the gateway's own at central.
     */
    private void stateTopic(GatewayConfig config, JsonNode status) {
        String topic = config.identity().stateTopic();
        JsonNode uplink = status == null ? null : status.path("uplink");
        if (uplink == null || !uplink.path("connected").asBoolean()) {
            add("state topic", Verdict.SKIP, status == null ? "the gateway does not answer: only it can tell"
                    : "the gateway is not connected to central's broker", null);
        } else if (uplink.hasNonNull("stateRefused")) {
            add("state topic", Verdict.WARN, uplink.path("stateRefused").asText(), "let the gateway's user publish retained messages"
                    + " on " + topic + " and set a Will there (AWS IoT Core: iot:RetainPublish, and iot:Connect with the LastWill"
                    + " condition); events go on meanwhile, central only misses the state");
        } else {
            add("state topic", Verdict.OK, "the gateway's state on " + topic + " is taken by central's broker", null);
        }
    }

    private void broker(GatewayConfig config) {
        var uplink = config.uplink();
        URI uri = URI.create(uplink.broker());
        String host = uri.getHost();
        int port = uri.getPort();
        boolean tls = uplink.broker().startsWith("ssl://");
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            add("broker DNS", Verdict.OK, host + " is " + addresses[0].getHostAddress(), null);
        } catch (IOException e) {
            add("broker DNS", Verdict.FAIL, "cannot resolve " + host + ": " + e.getMessage(),
                    "check uplink.broker and the store network's DNS (resolvectl status)");
            return;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutSeconds * 1000);
            add("broker TCP", Verdict.OK, "connected to " + host + ":" + port, null);
        } catch (IOException e) {
            add("broker TCP", Verdict.FAIL, "cannot connect to " + host + ":" + port + ": " + e.getMessage(),
                    "is the port right, and does the store firewall let this box out to it?");
            return;
        }
        if (!tls) {
            add("broker TLS", Verdict.WARN, uplink.broker() + " is plain TCP: events cross the network unencrypted",
                    "use ssl://HOST:8883 with uplink.tls.ca (storegw init --broker ssl://... --ca FILE)");
        } else if (!tlsHandshake(config, host, port)) {
            return;
        }
        mqtt(config);
    }

    /** Handshakes as the uplink does, checking the broker's name and both certificates' expiry. */
    private boolean tlsHandshake(GatewayConfig config, String host, int port) {
        var t = config.uplink().tls();
        try (SSLSocket s = (SSLSocket) PemTls.socketFactory(t == null ? null : t.ca(), t == null ? null : t.cert(), t == null ? null : t.key())
                .createSocket()) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.connect(new InetSocketAddress(host, port), timeoutSeconds * 1000);
            s.setSoTimeout(timeoutSeconds * 1000);
            s.startHandshake();
            X509Certificate server = (X509Certificate) s.getSession().getPeerCertificates()[0];
            String expiry = expiry("the broker's certificate", server);
            List<String> notes = new ArrayList<>(List.of(s.getSession().getProtocol() + ", " + server.getSubjectX500Principal().getName()
                    + ", " + expiry));
            Verdict verdict = expiry.startsWith("expires in") && soon(server) ? Verdict.WARN : Verdict.OK;
            if (t != null && t.cert() != null) {
                X509Certificate client = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(Files.newInputStream(t.cert()));
                notes.add("client certificate " + expiry("", client).strip());
                if (soon(client)) {
                    verdict = Verdict.WARN;
                }
            }
            add("broker TLS", verdict, String.join("; ", notes), verdict == Verdict.OK ? null
                    : "ask central for a renewed certificate before it expires, then replace the file and restart storegw");
            return true;
        } catch (IOException | java.security.GeneralSecurityException e) {
            String cut = Failures.cutInTlsHandshake(e);
            if (cut != null) {
                add("broker TLS", Verdict.FAIL, "TLS handshake with " + host + ":" + port + " failed: " + cut,
                        "set uplink.broker to the broker's TLS port (ssl://HOST:8883), or to tcp://HOST:PORT for its plain port");
            } else if (e instanceof javax.net.ssl.SSLException) {
                add("broker TLS", Verdict.FAIL, "TLS handshake with " + host + ":" + port + " failed: " + Failures.ofConnect(e, true),
                        "check uplink.tls.ca is the CA that signed the broker's certificate, that the broker's name matches it,"
                                + " that the clock is right, and (mutual TLS) that cert and key belong together");
            } else {
                add("broker TLS", Verdict.FAIL, "cannot set up TLS: " + Errors.describe(e),
                        "check the PEM files in uplink.tls (the key must be unencrypted PKCS#8)");
            }
        }
        return false;
    }

    /** The broker's Maximum Packet Size against the largest event the outbox takes (a sale of many lines). */
    private void packetSize(Long maxPacket, GatewayConfig config) {
        long needed = Uplink.LARGEST_EVENT_PACKET;
        if (maxPacket == null || maxPacket >= needed) {
            add("broker packet size", Verdict.OK, maxPacket == null ? "the broker sets no Maximum Packet Size"
                    : "the broker takes packets of up to " + maxPacket + " bytes; the largest event is " + Outbox.MAX_EVENT_BYTES, null);
        } else {
            add("broker packet size", Verdict.WARN, "the broker takes packets of at most " + maxPacket + " bytes and events reach "
                    + Outbox.MAX_EVENT_BYTES + " (a sale of many lines): a larger one is not sent, but reported to central as dropped "
                    + "(reason refused, code 149) and kept in " + config.stateDir().resolve("uplink").resolve("refused"),
                    "raise the broker's maximum packet size to " + needed + " bytes, if central's broker allows it");
        }
    }

    private static boolean soon(X509Certificate c) {
        return c.getNotAfter().toInstant().isBefore(Instant.now().plus(EXPIRY_WARNING));
    }

    private static String expiry(String what, X509Certificate c) {
        long days = Duration.between(Instant.now(), c.getNotAfter().toInstant()).toDays();
        return (what.isEmpty() ? "" : what + " ") + (days < 0 ? "EXPIRED " + -days + " days ago" : "expires in " + days + " days");
    }

    /** Logs in as the gateway would (under its own client id, so the daemon's session stays) and publishes once. */
    private void mqtt(GatewayConfig config) {
        var u = config.uplink();
        String topic = config.identity().topicPrefix() + "/doctor";
        MqttClient client = null;
        try {
            client = new MqttClient(u.broker(), config.clientId() + "-doctor", new MemoryPersistence());
            MqttConnectionOptions options = login(u.username(), u.passwordFile());
            if (u.broker().startsWith("ssl://")) {
                var t = u.tls();
                options.setSocketFactory(PemTls.socketFactory(t == null ? null : t.ca(), t == null ? null : t.cert(), t == null ? null : t.key()));
            }
            client.setTimeToWait(timeoutSeconds * 1000L);
            IMqttToken connected = client.connectWithResult(options);
            Long maxPacket = connected.getResponseProperties() == null ? null : connected.getResponseProperties().getMaximumPacketSize();
            MqttMessage probe = new MqttMessage(("storegw doctor " + Instant.now()).getBytes(StandardCharsets.UTF_8), 1, false, null);
            IMqttToken token = client.getTopic(topic).publish(probe);
            token.waitForCompletion(timeoutSeconds * 1000L);
            int[] codes = token.getReasonCodes();
            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                add("broker login", Verdict.OK, "logged in as " + (u.username() == null ? "(no user name)" : u.username()), null);
                add("test publish", Verdict.WARN, "the broker refused a publish to " + topic + " (reason code 0x"
                        + Integer.toHexString(codes[0]) + ")", "let the gateway's user publish to "
                        + config.identity().topicPrefix() + "/# in the broker's ACL");
            } else {
                add("broker login", Verdict.OK, "logged in as " + (u.username() == null ? "(no user name)" : u.username()), null);
                add("test publish", Verdict.OK, "published to " + topic + " and the broker acknowledged it", null);
            }
            packetSize(maxPacket, config);
        } catch (MqttException e) {
            int code = e.getReasonCode();
            boolean auth = code == 0x86 || code == 0x87 || code == 4 || code == 5;
            add("broker login", Verdict.FAIL, "MQTT connect to " + u.broker() + " failed: " + Failures.ofConnect(e, u.broker().startsWith("ssl://"))
                    + " (reason code " + code + ")",
                    auth ? "check uplink.username and the password in " + u.passwordFile() + " with central"
                            : "see the broker's log; the broker may refuse this client id or protocol version (MQTT 5 is needed)");
        } catch (IOException | java.security.GeneralSecurityException e) {
            add("broker login", Verdict.FAIL, "cannot prepare the connection: " + e.getMessage(), "check uplink.passwordFile and uplink.tls");
        } finally {
            close(client);
        }
    }

    /** How the gateway's clients log in: a clean start, the user name, and the password read from its file. */
    private MqttConnectionOptions login(String username, Path passwordFile) throws IOException {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setConnectionTimeout(timeoutSeconds);
        if (username != null) {
            options.setUserName(username);
        }
        if (passwordFile != null) {
            options.setPassword(Files.readString(passwordFile, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
        }
        return options;
    }

    /** Disconnects and closes a check's client, whose verdict is already in. */
    private static void close(MqttClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        } catch (MqttException ignored) {
            // the verdict is already in
        }
    }

    /** Logs in to the store's broker as the local MQTT source does, under its own client id so the daemon's session stays. */
    private void storeBroker(GatewayConfig config) {
        var local = config.sources().localMqtt();
        if (!local.enabled()) {
            add("store broker", Verdict.SKIP, "sources.localMqtt is off: no ESPresense, OpenMQTTGateway or store devices over MQTT", null);
            return;
        }
        String fix = "is the store's broker running (systemctl status mosquitto)? check sources.localMqtt.broker, username and passwordFile";
        MqttClient client = null;
        try {
            client = new MqttClient(local.broker(), config.clientId() + "-local-doctor", new MemoryPersistence());
            client.setTimeToWait(timeoutSeconds * 1000L);
            client.connect(login(local.username(), local.passwordFile()));
            add("store broker", Verdict.OK, "logged in to " + local.broker() + " as " + (local.username() == null ? "(no user name)" : local.username()),
                    null);
        } catch (MqttException e) {
            add("store broker", Verdict.FAIL, "cannot log in to " + local.broker() + ": " + Failures.ofConnect(e, false), fix);
        } catch (IOException e) {
            add("store broker", Verdict.FAIL, "cannot read sources.localMqtt.passwordFile: " + Errors.describe(e), fix);
        } finally {
            close(client);
        }
    }

    private void clock() {
        ClockSync.State s = ClockSync.now();
        if (Boolean.TRUE.equals(s.synchronised())) {
            add("clock", Verdict.OK, "synchronised (" + s.how() + ")", null);
        } else if (Boolean.FALSE.equals(s.synchronised())) {
            add("clock", Verdict.FAIL, "not synchronised: " + s.how(),
                    "event times and certificate checks depend on it: timedatectl set-ntp true; check the NTP server is reachable");
        } else {
            add("clock", Verdict.WARN, "cannot tell whether the clock is synchronised (" + s.how() + ")",
                    "run timedatectl; on a Pi without network time the clock starts at the last shutdown");
        }
    }

    private void disk(GatewayConfig config) {
        Path where = config.outboxPath().toAbsolutePath().getParent();
        while (where != null && !Files.exists(where)) {
            where = where.getParent();
        }
        long budget = config.outbox().budget().bytes();
        long reserve = config.outbox().diskReserve().bytes();
        try {
            long free = Files.getFileStore(where).getUsableSpace();
            String detail = StatusCommand.bytes(free) + " free at " + where + " for an outbox budget of " + StatusCommand.bytes(budget)
                    + " and a reserve of " + StatusCommand.bytes(reserve);
            if (free >= budget + reserve) {
                add("disk", Verdict.OK, detail, null);
            } else if (free >= reserve + budget / 4) {
                add("disk", Verdict.WARN, detail + ": a long outage could bring the disk to its reserve before the budget sheds"
                        + " (the outbox then holds no more)", "free space, or lower outbox.budget");
            } else {
                add("disk", Verdict.FAIL, detail, free < reserve ? "free space: the outbox is taking no more room"
                        : "free space, or lower outbox.budget below the free space");
            }
        } catch (IOException | NullPointerException e) {
            add("disk", Verdict.FAIL, "cannot tell the free space at " + config.outboxPath() + ": " + e.getMessage(), "check stateDir");
        }
    }

    /** Damaged outbox files the gateway moved aside (it could not open one, or salvaged it): a failing card, and their room. */
    private void keptOutboxFiles(GatewayConfig config) {
        List<Path> kept;
        long bytes = 0;
        try {
            kept = Outbox.keptAside(config.outboxPath());
            for (Path f : kept) {
                bytes += Files.size(f);
            }
        } catch (IOException e) {
            add("outbox files", Verdict.WARN, "cannot list the files beside " + config.outboxPath() + ": " + e.getMessage(), "check stateDir");
            return;
        }
        if (kept.isEmpty()) {
            add("outbox files", Verdict.OK, "no damaged outbox file kept beside " + config.outboxPath(), null);
            return;
        }
        add("outbox files", Verdict.WARN, Plural.of(kept.size(), "damaged outbox file") + " kept ("
                + StatusCommand.bytes(bytes) + "), the newest " + kept.get(kept.size() - 1) + ": the gateway could not read it and"
                + " went on with a fresh one (central got a gateway.alarm); the SD card may be failing",
                "keep them only while central may want the events they hold, then delete them (docs/troubleshooting.md); plan to replace the card");
    }

    private void bluetooth(GatewayConfig config) {
        var ble = config.sources().ble();
        if (!ble.enabled()) {
            add("D-Bus", Verdict.SKIP, "sources.ble is off: the gateway does not use D-Bus", null);
            add("Bluetooth", Verdict.SKIP, "sources.ble is off", null);
            return;
        }
        String bus = ble.bus() == null ? "the system D-Bus" : ble.bus();
        try {
            List<BlueZAdapters.Adapter> adapters = BlueZAdapters.list(ble.bus());
            add("D-Bus", Verdict.OK, "reached " + bus + " and bluetoothd on it", null);
            var adapter = adapters.stream().filter(a -> ble.adapter() == null || a.name().equals(ble.adapter())).findFirst();
            if (adapter.isEmpty()) {
                add("Bluetooth", Verdict.FAIL, ble.adapter() == null ? "no Bluetooth adapter" : "no adapter " + ble.adapter()
                        + " (there are: " + adapters.stream().map(BlueZAdapters.Adapter::name).toList() + ")",
                        "check the radio: hciconfig -a, rfkill list (unblock with rfkill unblock bluetooth)");
            } else if (!adapter.get().powered()) {
                add("Bluetooth", Verdict.FAIL, "adapter " + adapter.get().name() + " is off", "bluetoothctl power on; rfkill unblock bluetooth");
            } else {
                add("Bluetooth", Verdict.OK, "adapter " + adapter.get().name() + " (" + adapter.get().address() + ") is powered", null);
            }
        } catch (BlueZAdapters.Unavailable e) {
            String m = e.getMessage();
            if (e.busReached()) {
                add("D-Bus", Verdict.OK, "reached " + bus, null);
                add("Bluetooth", Verdict.FAIL, m, "apt-get install bluez; systemctl enable --now bluetooth");
            } else {
                add("D-Bus", Verdict.FAIL, m, m.contains("AccessDenied") || m.contains("ermission")
                        ? "the storegw user must be in the bluetooth group (the unit adds it)" : "is dbus running? systemctl status dbus");
                add("Bluetooth", Verdict.SKIP, "D-Bus is not reachable", null);
            }
        }
    }

    /**
     * Whether tills can post: the port is open, reachable from the store's network (it is on loopback unless a host
     * is set), and takes at least one till. Each of these failed silently for a technician until a till's post did.
     */
    private void tillPort(GatewayConfig config, JsonNode status) {
        var http = config.sources().pos().http();
        if (!http.enabled()) {
            add("till port", Verdict.SKIP, "sources.pos.http is off: tills do not post to this gateway", null);
            return;
        }
        if (status == null) {
            add("till port", Verdict.SKIP, "the gateway does not answer, so its till port is not open", null);
            return;
        }
        // the gateway's own word first: a port taken by another program answers a connect as well as ours would
        for (JsonNode source : status.path("sources")) {
            if (source.path("name").asText().equals("pos-http") && source.hasNonNull("problem")) {
                String problem = source.path("problem").asText();
                add("till port", Verdict.FAIL, problem, problem.startsWith("cannot listen")
                        ? "find what holds the port (ss -ltnp 'sport = :" + http.port() + "'), free it or choose another"
                                + " sources.pos.http.port, then restart storegw"
                        : "docs/troubleshooting.md, \"A till's transactions do not arrive\"");
                return;
            }
        }
        InetAddress host;
        try {
            host = InetAddress.getByName(http.host());
        } catch (IOException e) {
            add("till port", Verdict.FAIL, "cannot resolve sources.pos.http.host " + http.host() + ": " + e.getMessage(),
                    "set sources.pos.http.host to this machine's store LAN address");
            return;
        }
        InetSocketAddress at = new InetSocketAddress(host.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : host, http.port());
        try (Socket s = new Socket()) {
            s.connect(at, timeoutSeconds * 1000);
        } catch (IOException e) {
            add("till port", Verdict.FAIL, "nothing takes connections at " + http.url() + ": " + e.getMessage(),
                    "journalctl -u storegw says why the till port did not open (the port in use? the host not this machine's?)");
            return;
        }
        boolean webhooks = http.square() != null || http.shopify() != null;
        int tills;
        try {
            JsonNode layout = AdminSocket.json(socket(config), "GET", "/layout", null);
            tills = layout.path("fileTills").size() + layout.path("layout").path("tills").size();
        } catch (AdminSocket.Failure e) {
            add("till port", Verdict.WARN, "open at " + http.url() + ", but the gateway did not list its tills: " + e.getMessage(), null);
            return;
        }
        String taking = "open at " + http.url() + ", taking " + Plural.of(tills, "till") + (webhooks ? " and signed webhooks" : "");
        List<String> problems = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        if (tills == 0 && !webhooks) {
            problems.add("no till may post yet: every post is refused");
            fixes.add("storegw tills add NAME prints a till's token");
        }
        if (host.isLoopbackAddress()) {
            problems.add("it is on loopback only: tills on the store's network cannot reach it");
            fixes.add("set sources.pos.http.host to this machine's store LAN address, then restart storegw");
        }
        add("till port", problems.isEmpty() ? Verdict.OK : Verdict.WARN, problems.isEmpty() ? taking : taking + "; " + String.join("; ", problems),
                problems.isEmpty() ? null : String.join("; ", fixes));
    }

    /** What the sources refused since the gateway started: a device mapping or a till set up wrong looks healthy otherwise. */
    private void refusedInput(JsonNode status) {
        if (status == null) {
            add("refused input", Verdict.SKIP, "the gateway does not answer", null);
            return;
        }
        List<String> refused = new ArrayList<>();
        for (JsonNode source : status.path("sources")) {
            if (source.path("refused").asLong() > 0) {
                refused.add(String.format(Locale.ROOT, "%s refused %,d since the start; the last: %s", source.path("name").asText(),
                        source.path("refused").asLong(), source.path("lastRefused").asText()));
            }
        }
        if (refused.isEmpty()) {
            add("refused input", Verdict.OK, "no source refused any input since the gateway started", null);
        } else {
            add("refused input", Verdict.WARN, String.join("\n", refused), "a till or device that sends what the gateway cannot read is"
                    + " set up wrong; each refused input is kept with its reason (docs/troubleshooting.md, \"Input refused\")");
        }
    }

    /** What central's commands met since the gateway started: a key or clock that does not match looks healthy otherwise. */
    private void centralCommands(GatewayConfig config, JsonNode status) {
        if (!config.commands().enabled()) {
            add("central commands", Verdict.SKIP, "commands.publicKey is not set: the gateway takes no command from central", null);
            return;
        }
        JsonNode commands = status == null ? null : status.path("commands");
        if (commands == null || !commands.isObject()) {
            add("central commands", Verdict.SKIP, "the gateway does not answer", null);
            return;
        }
        String held = String.format(Locale.ROOT, "members held: %,d; commands taken since the gateway started: %,d", commands.path("members").asLong(),
                commands.path("taken").asLong());
        long refused = commands.path("refused").asLong();
        long answersRefused = commands.path("answersRefused").asLong();
        if (refused == 0 && answersRefused == 0) {
            add("central commands", Verdict.OK, held + ", not taken: none", null);
            return;
        }
        String detail = held + (refused == 0 ? "" : String.format(Locale.ROOT, ", not taken: %,d; the last: %s", refused,
                commands.path("lastRefused").asText()));
        if (answersRefused > 0) {
            // first: each command is carried out, and central, seeing no answer, sends it again and again
            String gatewayTree = config.identity().topicPrefix() + "/";
            add("central commands", Verdict.WARN, String.format(Locale.ROOT, "%s; answers central's broker refused: %,d; the last: %s",
                    detail, answersRefused, commands.path("lastAnswerRefused").asText()), "the gateway may not publish on the response"
                    + " topic central names: let its ACL allow that topic, or have central name response topics under " + gatewayTree
                    + " (docs/commands.md, \"The request\")");
            return;
        }
        String fix = switch (commands.path("lastReason").asText()) {
            case "bad-signature" -> "central signs with a key that is not the one in commands.publicKey (" + config.commands().publicKey()
                    + "): compare it with central's (openssl pkey -in central.key -pubout)";
            case "stale" -> "the gateway's or central's clock is off: see the clock check, and central's own; commands.maxAge is how far apart they may be";
            case "unsigned" -> "central sends no signature user property (docs/commands.md, \"The request\")";
            default -> "central is told why in each answer; docs/commands.md lists the reasons";
        };
        add("central commands", Verdict.WARN, detail, fix);
    }

    private void gpio(GatewayConfig config) {
        if (!config.gpio().used()) {
            add("GPIO", Verdict.SKIP, "no GPIO devices configured", null);
            return;
        }
        // every chip, as the gateway looks: the header is gpiochip4 on a Pi 5 with an older kernel
        List<Path> chips = GpioDevices.chips(Path.of("/dev"));
        List<String> closed = chips.stream().filter(c -> !Files.isReadable(c) || !Files.isWritable(c)).map(Path::toString).toList();
        if (chips.isEmpty()) {
            add("GPIO", Verdict.FAIL, "no /dev/gpiochip*: this is not a Pi, or its GPIO driver is not loaded", "check the board; ls /dev/gpiochip*");
        } else if (!closed.isEmpty()) {
            add("GPIO", Verdict.FAIL, String.join(", ", closed) + (closed.size() == 1 ? " is" : " are") + " not readable and writable by "
                    + System.getProperty("user.name"), "the storegw user must be in the gpio group (the unit adds it); run doctor as the"
                    + " storegw user to check exactly");
        } else {
            add("GPIO", Verdict.OK, String.join(", ", chips.stream().map(Path::toString).toList()) + (chips.size() == 1 ? " is" : " are")
                    + " readable and writable", null);
        }
    }
}
