package io.storegw.gateway.config;

import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.presence.ZoneTracker;
import java.net.URI;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The checks that binding cannot make: required keys, ranges, forms, files that must exist. */
final class ConfigValidator {

    /** Names become MQTT topic levels, so they must not hold wildcards or separators. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Map<String, Integer> lines;
    private final List<ConfigException.Problem> problems = new ArrayList<>();

    private ConfigValidator(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /** Every problem of a bound config; its relative paths were resolved against the file's folder while binding. */
    static List<ConfigException.Problem> check(GatewayConfig c, Map<String, Integer> lines) {
        ConfigValidator v = new ConfigValidator(lines);
        v.name("tenant", c.tenant());
        v.name("store", c.store());
        v.name("gateway", c.gateway());
        try {
            ZoneId.of(c.timeZone());
        } catch (DateTimeException e) {
            v.problem("timeZone", "expected a time zone such as Europe/Berlin or UTC, got '" + c.timeZone() + "'");
        }
        v.uplink(c.uplink());
        v.outbox(c.outbox());
        GatewayConfig.Core core = c.core();
        v.range("core.queueCapacity", core.queueCapacity(), 1, 1_000_000);
        v.range("core.kAnonymity", core.kAnonymity(), 1, 1_000);
        v.duration("core.bucket", core.bucket(), Duration.ofSeconds(1), Duration.ofDays(1));
        v.duration("core.telemetry", core.telemetry(), Duration.ofSeconds(1), Duration.ofDays(1));
        GatewayConfig.Virtual virtual = c.sources().virtual();
        if (virtual != null) {
            if (virtual.rate() < 0) {
                v.problem("sources.virtual.rate", "expected observations per second, 0 or more (0 = as fast as possible)");
            }
            if (virtual.limit() < 0) {
                v.problem("sources.virtual.limit", "expected 0 (no limit) or a positive count");
            }
        }
        GatewayConfig.Pos pos = c.sources().pos();
        GatewayConfig.PosHttp http = pos.http();
        if (http.enabled()) {
            v.range("sources.pos.http.port", http.port(), 0, 65_535);
            // no tokens file is not a problem: tills may all be added with storegw tills add once the gateway runs
            v.readable("sources.pos.http.tokensFile", http.tokensFile());
            if (http.square() != null) {
                v.required("sources.pos.http.square.signatureKeyFile", http.square().signatureKeyFile());
                v.readable("sources.pos.http.square.signatureKeyFile", http.square().signatureKeyFile());
                String url = http.square().notificationUrl();
                if (url == null || !url.startsWith("https://")) {
                    v.problem("sources.pos.http.square.notificationUrl",
                            "expected the https:// URL exactly as the Square webhook subscription names it (Square signs it)");
                }
            }
            if (http.shopify() != null) {
                v.required("sources.pos.http.shopify.secretFile", http.shopify().secretFile());
                v.readable("sources.pos.http.shopify.secretFile", http.shopify().secretFile());
            }
            if (http.tls() != null) {
                v.required("sources.pos.http.tls.certificate", http.tls().certificate());
                v.readable("sources.pos.http.tls.certificate", http.tls().certificate());
                v.required("sources.pos.http.tls.key", http.tls().key());
                v.readable("sources.pos.http.tls.key", http.tls().key());
            }
        }
        v.duration("sources.pos.spool.poll", pos.spool().poll(), Duration.ofMillis(100), Duration.ofMinutes(10));
        v.duration("sources.pos.spool.keepDone", pos.spool().keepDone(), Duration.ZERO, Duration.ofDays(366));
        if (pos.currency() != null && !pos.currency().matches("[A-Z]{3}")) {
            v.problem("sources.pos.currency", "expected an ISO 4217 code such as EUR, got '" + pos.currency() + "'");
        }
        if (pos.maxDocument().bytes() < 1024 || pos.maxDocument().bytes() > 8L << 20) {
            // A document being taken in holds a few times its size in the heap: at the appliance's 64 MB,
            // 21 MB of documents at once ran out of it, and the till port admits at least one of the largest.
            v.problem("sources.pos.maxDocument", "expected 1KB to 8MB (a till sends one sale at a time; split larger exports), got "
                    + pos.maxDocument().bytes() + " bytes");
        }
        v.localMqtt(c.sources().localMqtt());
        v.httpCounters(c.sources().httpCounters());
        v.gpio(c.gpio());
        v.presence(c.presence());
        v.beacons(c.beacons());
        if (c.commands().enabled()) {
            if (Files.isReadable(c.commands().publicKey())) {
                try {
                    io.storegw.gateway.command.CommandVerifier.publicKey(c.commands().publicKey());
                } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                    v.problem("commands.publicKey", e.getMessage());
                }
            } else {
                v.problem("commands.publicKey", "cannot read file " + c.commands().publicKey());
            }
            v.duration("commands.maxAge", c.commands().maxAge(), Duration.ofSeconds(10), Duration.ofHours(24));
        }
        v.readable("commands.membersKeyFile", c.commands().membersKeyFile());
        v.readable("commands.cardKeyFile", c.commands().cardKeyFile());
        if (c.commands().appBeacon() != null) {
            v.required("commands.appBeacon.uuid", c.commands().appBeacon().uuid());
            v.duration("commands.appBeacon.period", c.commands().appBeacon().period(), Duration.ofMinutes(1), Duration.ofDays(1));
        }
        GatewayConfig.Journey journey = c.journey();
        v.duration("journey.attributionWindow", journey.attributionWindow(), Duration.ZERO, ZoneTracker.ENDED_KEPT);
        v.duration("journey.pickupRepeat", journey.pickupRepeat(), Duration.ofSeconds(10), Duration.ofHours(24));
        if (journey.pickupNear() < 0 || journey.pickupNear() > 30) {
            v.problem("journey.pickupNear", "expected 0 to 30 dB, got " + journey.pickupNear());
        }
        for (int i = 0; i < journey.pickupZones().size(); i++) {
            v.name("journey.pickupZones[" + i + "]", journey.pickupZones().get(i));
        }
        if (journey.alertTopic() != null) {
            if (!c.sources().localMqtt().enabled()) {
                v.problem("journey.alertTopic", "needs sources.localMqtt: arrivals are announced on the store's own broker");
            }
            if (journey.alertTopic().isBlank() || journey.alertTopic().contains("+") || journey.alertTopic().contains("#")) {
                v.problem("journey.alertTopic", "expected a topic name without wildcards, got '" + journey.alertTopic() + "'");
            }
        }
        GatewayConfig.Ble ble = c.sources().ble();
        if (ble.enabled()) {
            if (!ble.driver().equals("bluez")) {
                v.problem("sources.ble.driver", "expected bluez (BlueZ over D-Bus; see docs/ble.md), got '" + ble.driver() + "'");
            }
            if (ble.adapter() != null && !ble.adapter().matches("hci[0-9]{1,2}")) {
                v.problem("sources.ble.adapter", "expected an adapter name such as hci0, got '" + ble.adapter() + "'");
            }
            if (ble.receiverId() != null) {
                v.name("sources.ble.receiverId", ble.receiverId());
            }
            v.duration("sources.ble.recheck", ble.recheck(), Duration.ofMillis(100), Duration.ofMinutes(5));
        }
        v.range("admin.http.port", c.admin().http().port(), 0, 65_535);
        return v.problems;
    }

    private void uplink(GatewayConfig.Uplink u) {
        URI uri = brokerUri("uplink.broker", u.broker());
        if (uri != null && u.tls() != null && !"ssl".equals(uri.getScheme())) {
            problem("uplink.tls", "TLS settings need an ssl:// broker URI");
        }
        if (u.passwordFile() != null) {
            if (u.username() == null) {
                problem("uplink.username", "required when uplink.passwordFile is set");
            }
            readable("uplink.passwordFile", u.passwordFile());
        }
        if (u.tls() != null) {
            readable("uplink.tls.ca", u.tls().ca());
            if ((u.tls().cert() == null) != (u.tls().key() == null)) {
                problem("uplink.tls", "mutual TLS needs both cert and key");
            }
            readable("uplink.tls.cert", u.tls().cert());
            readable("uplink.tls.key", u.tls().key());
        }
        duration("uplink.keepAlive", u.keepAlive(), Duration.ofSeconds(1), Duration.ofHours(18));
        range("uplink.maxInflight", u.maxInflight(), 1, 65_535);
        duration("uplink.backoff.base", u.backoff().base(), Duration.ofMillis(10), Duration.ofHours(1));
        duration("uplink.backoff.cap", u.backoff().cap(), u.backoff().base(), Duration.ofHours(6));
    }

    private void outbox(GatewayConfig.Outbox o) {
        if (o.budget().bytes() < (1 << 20)) {
            problem("outbox.budget", "expected at least 1MB, got " + o.budget().bytes() + " bytes");
        }
        duration("outbox.commitInterval", o.commitInterval(), Duration.ZERO, Duration.ofSeconds(1));
        duration("outbox.idempotencyWindow", o.idempotencyWindow(), Duration.ofHours(1), Duration.ofDays(90));
        for (Map.Entry<String, Duration> e : o.ttl().entrySet()) {
            if (EventCatalogue.byName(e.getKey()).isEmpty()) {
                problem("outbox.ttl." + e.getKey(), "unknown event type; see docs/events/ for the catalogue");
            } else {
                duration("outbox.ttl." + e.getKey(), e.getValue(), Duration.ofMinutes(1), Duration.ofDays(365));
            }
        }
    }

    private void name(String key, String value) {
        if (value == null) {
            problem(key, "required");
        } else if (!NAME.matcher(value).matches()) {
            problem(key, "expected 1-64 letters, digits, '-' or '_' (it becomes an MQTT topic level), got '" + value + "'");
        }
    }

    private void readable(String key, Path file) {
        if (file != null && !Files.isReadable(file)) {
            problem(key, "cannot read file " + file);
        }
    }

    /** A tcp:// or ssl:// broker URI, or null after naming the problem. */
    private URI brokerUri(String key, String broker) {
        if (broker == null) {
            problem(key, "required: the broker URI, for example tcp://broker.example.com:1883 or ssl://broker.example.com:8883");
            return null;
        }
        try {
            URI uri = new URI(broker);
            if (Set.of("tcp", "ssl").contains(String.valueOf(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
            problem(key, "expected tcp://host:port or ssl://host:port, got '" + broker + "'");
        } catch (URISyntaxException e) {
            problem(key, "not a URI: " + e.getMessage());
        }
        return null;
    }

    /** How the identity resolver names fixed beacons (docs/identity.md). */
    static final java.util.regex.Pattern FIXED_BEACON =
            java.util.regex.Pattern.compile("(ibeacon|altbeacon):[0-9a-f-]+/[0-9]+/[0-9]+|eddystone-uid:[0-9a-f]{20}/[0-9a-f]{12}");

    /** Whether {@code value} names a fixed beacon as the identity resolver does; a problem under {@code key} if not. */
    private boolean fixedBeacon(String key, String value) {
        if (FIXED_BEACON.matcher(value).matches()) {
            return true;
        }
        problem(key, "expected a fixed beacon as ibeacon:UUID/MAJOR/MINOR, altbeacon:ID1/ID2/ID3"
                + " or eddystone-uid:NAMESPACE/INSTANCE, got '" + value + "'");
        return false;
    }

    /**
     * The problems of a store layout changed while the gateway runs (zones, receiver offsets,
     * registered beacons), named by the config keys they would have in the file.
     */
    static List<ConfigException.Problem> checkPlaces(List<GatewayConfig.Zone> zones, Map<String, Double> receiverOffsets,
                                                     List<String> registered) {
        ConfigValidator v = new ConfigValidator(Map.of());
        v.zones(zones);
        v.offsets(receiverOffsets);
        for (int i = 0; i < registered.size(); i++) {
            v.fixedBeacon("beacons.registered[" + i + "]", registered.get(i));
        }
        return v.problems;
    }

    private void presence(GatewayConfig.Presence p) {
        zones(p.zones());
        offsets(p.receiverOffsets());
        duration("presence.window", p.window(), Duration.ofSeconds(1), Duration.ofMinutes(1));
        if (p.margin() < 0 || p.margin() > 30) {
            problem("presence.margin", "expected 0 to 30 dB, got " + p.margin());
        }
        range("presence.wins", p.wins(), 1, 20);
        duration("presence.exitAfter", p.exitAfter(), p.window(), Duration.ofHours(1));
        duration("presence.minDwell", p.minDwell(), Duration.ZERO, Duration.ofHours(1));
        duration("presence.visitEndAfter", p.visitEndAfter(), p.exitAfter(), Duration.ofHours(4));
        if (!p.filter().equals("median") && !p.filter().equals("kalman")) {
            problem("presence.filter", "expected median or kalman, got '" + p.filter() + "'");
        }
    }

    private void zones(List<GatewayConfig.Zone> zones) {
        Set<String> receivers = new java.util.HashSet<>();
        Set<String> beacons = new java.util.HashSet<>();
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < zones.size(); i++) {
            GatewayConfig.Zone z = zones.get(i);
            String key = "presence.zones[" + i + "]";
            name(key + ".name", z.name());
            if (z.name() != null && !names.add(z.name())) {
                problem(key + ".name", "zone " + z.name() + " is defined twice");
            }
            if (z.receivers().isEmpty() && z.beacons().isEmpty()) {
                problem(key, "expected receivers or beacons (or both) that mark the zone");
            }
            for (String r : z.receivers()) {
                if (!receivers.add(r)) {
                    problem(key + ".receivers", "receiver " + r + " is already in another zone");
                }
            }
            for (String b : z.beacons()) {
                if (fixedBeacon(key + ".beacons", b) && !beacons.add(b)) {
                    problem(key + ".beacons", "beacon " + b + " is already in another zone");
                }
            }
        }
    }

    private void offsets(Map<String, Double> offsets) {
        offsets.forEach((receiver, db) -> {
            if (db == null || db < -40 || db > 40) {
                problem("presence.receiverOffsets." + receiver, "expected -40 to 40 dB, got " + db);
            }
        });
    }

    private void beacons(GatewayConfig.Beacons b) {
        for (int i = 0; i < b.registered().size(); i++) {
            fixedBeacon("beacons.registered[" + i + "]", b.registered().get(i));
        }
        duration("beacons.missingAfter", b.missingAfter(), Duration.ofSeconds(1), Duration.ofDays(7));
        duration("beacons.healthEvery", b.healthEvery(), Duration.ZERO, Duration.ofDays(7));
    }

    private void gpio(GatewayConfig.Gpio g) {
        Set<Integer> pins = new java.util.HashSet<>();
        GatewayConfig.DoorCounter d = g.doorCounter();
        if (d != null && d.enabled()) {
            name("gpio.doorCounter.door", d.door());
            beam("gpio.doorCounter.outer", d.outer(), pins);
            beam("gpio.doorCounter.inner", d.inner(), pins);
            duration("gpio.doorCounter.debounce", d.debounce(), Duration.ZERO, Duration.ofMillis(500));
            duration("gpio.doorCounter.minGap", d.minGap(), Duration.ZERO, Duration.ofSeconds(5));
            duration("gpio.doorCounter.maxTransit", d.maxTransit(), Duration.ofMillis(100), Duration.ofSeconds(30));
            duration("gpio.doorCounter.stuckAfter", d.stuckAfter(), Duration.ofSeconds(1), Duration.ofHours(1));
        }
        if (g.statusLight() != null) {
            pin("gpio.statusLight.pin", g.statusLight().pin(), pins);
            for (var p : java.util.Map.of("ok", g.statusLight().ok() == null ? List.<Duration>of() : g.statusLight().ok(),
                    "uplinkDown", g.statusLight().uplinkDown(), "backlog", g.statusLight().backlog(), "fault", g.statusLight().fault()).entrySet()) {
                pattern("gpio.statusLight." + p.getKey(), p.getValue());
            }
        }
        if (g.signal() != null) {
            pin("gpio.signal.pin", g.signal().pin(), pins);
            pattern("gpio.signal.pickup", g.signal().pickup());
        }
    }

    private void beam(String key, GatewayConfig.Beam b, Set<Integer> pins) {
        if (b == null) {
            problem(key, "required: {pin, brokenWhen: high|low, pull: up|down|off}");
            return;
        }
        pin(key + ".pin", b.pin(), pins);
        if (!Set.of("high", "low").contains(b.brokenWhen())) {
            problem(key + ".brokenWhen", "expected high or low, got '" + b.brokenWhen() + "'");
        }
        if (!Set.of("up", "down", "off").contains(b.pull())) {
            problem(key + ".pull", "expected up, down or off, got '" + b.pull() + "'");
        }
    }

    /** A BCM GPIO number on the 40-pin header (2 to 27), used once. */
    private void pin(String key, Integer pin, Set<Integer> pins) {
        if (pin == null) {
            problem(key, "required: the BCM GPIO number");
        } else if (pin < 2 || pin > 27) {
            problem(key, "expected a BCM GPIO number from 2 to 27, got " + pin);
        } else if (!pins.add(pin)) {
            problem(key, "GPIO " + pin + " is already used by another gpio setting");
        }
    }

    private void pattern(String key, List<Duration> steps) {
        if (steps.stream().anyMatch(d -> d.isNegative() || d.isZero())) {
            problem(key, "every step of a pattern must be longer than zero");
        }
    }

    private void httpCounters(GatewayConfig.HttpCounters h) {
        if (!h.enabled()) {
            return;
        }
        duration("sources.httpCounters.poll", h.poll(), Duration.ofSeconds(1), Duration.ofHours(1));
        if (h.counters().isEmpty()) {
            problem("sources.httpCounters.counters", "expected at least one counter: {id, url}");
        }
        for (int i = 0; i < h.counters().size(); i++) {
            GatewayConfig.HttpCounter c = h.counters().get(i);
            String key = "sources.httpCounters.counters[" + i + "]";
            name(key + ".id", c.id());
            try {
                URI url = new URI(String.valueOf(c.url()));
                if (!Set.of("http", "https").contains(String.valueOf(url.getScheme())) || url.getHost() == null) {
                    problem(key + ".url", "expected http://host/... or https://host/..., got '" + c.url() + "'");
                }
            } catch (URISyntaxException e) {
                problem(key + ".url", "not a URL: " + e.getMessage());
            }
            readable(key + ".passwordFile", c.passwordFile());
        }
    }

    private void localMqtt(GatewayConfig.LocalMqtt m) {
        if (!m.enabled()) {
            return;
        }
        brokerUri("sources.localMqtt.broker", m.broker());
        readable("sources.localMqtt.passwordFile", m.passwordFile());
        duration("sources.localMqtt.offlineAfter", m.offlineAfter(), Duration.ofSeconds(10), Duration.ofDays(1));
        for (int i = 0; i < m.devices().size(); i++) {
            GatewayConfig.Device d = m.devices().get(i);
            String key = "sources.localMqtt.devices[" + i + "]";
            if (d.topic() == null) {
                problem(key + ".topic", "required: an MQTT topic filter such as store/shelves/+/weight");
            } else {
                try {
                    MqttTopicValidator.validate(d.topic(), true, true);
                } catch (IllegalArgumentException e) {
                    problem(key + ".topic", "not an MQTT topic filter: '" + d.topic() + "'");
                }
            }
            required(key + ".device", d.device());
            required(key + ".kind", d.kind());
            if (d.values().isEmpty()) {
                problem(key + ".values", "expected at least one value: {field, quantity, unit}, or {quantity} to count messages");
            }
            for (int j = 0; j < d.values().size(); j++) {
                required(key + ".values[" + j + "].quantity", d.values().get(j).quantity());
            }
        }
    }

    private void required(String key, Object value) {
        if (value == null) {
            problem(key, "required");
        }
    }

    private void range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            problem(key, "expected a number from " + min + " to " + max + ", got " + value);
        }
    }

    private void duration(String key, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            problem(key, "expected a duration from " + min + " to " + max + ", got " + value);
        }
    }

    private void problem(String key, String message) {
        int line = lines.getOrDefault(key, 0);
        // A missing key has no line; name the line of the section it belongs in.
        for (String k = key; line == 0 && k.contains("."); ) {
            k = k.substring(0, k.lastIndexOf('.'));
            line = lines.getOrDefault(k, 0);
        }
        problems.add(new ConfigException.Problem(key, line, message));
    }
}
