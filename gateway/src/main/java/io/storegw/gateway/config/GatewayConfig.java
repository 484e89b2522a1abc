package io.storegw.gateway.config;

import io.storegw.gateway.event.GatewayIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The whole of {@code storegw.yaml}, bound as it is written; defaults fill what the file leaves out.
 * Values are checked by {@link ConfigLoader}, which names the key and line of every problem.
 */
public record GatewayConfig(String tenant, String store, String gateway, String timeZone, Path stateDir,
                            Uplink uplink, Outbox outbox, Core core, Sources sources, Gpio gpio, Presence presence,
                            Beacons beacons, Commands commands, Journey journey, Admin admin) {

    public GatewayConfig {
        timeZone = timeZone == null ? "UTC" : timeZone;
        stateDir = stateDir == null ? Path.of("/var/lib/storegw") : stateDir;
        uplink = uplink == null ? new Uplink(null, null, null, null, null, null, null, null) : uplink;
        outbox = outbox == null ? new Outbox(null, null, null, null, null, null) : outbox;
        core = core == null ? new Core(null, null, null, null) : core;
        sources = sources == null ? new Sources(null, null, null, null, null) : sources;
        gpio = gpio == null ? new Gpio(null, null, null) : gpio;
        presence = presence == null ? new Presence(null, null, null, null, null, null, null, null, null) : presence;
        beacons = beacons == null ? new Beacons(null, null, null) : beacons;
        commands = commands == null ? new Commands(null, null, null, null, null) : commands;
        journey = journey == null ? new Journey(null, null, null, null, null) : journey;
        admin = admin == null ? new Admin(null, null) : admin;
    }

    /** Whether any source hears BLE: the gateway's radio, ESPresense or OpenMQTTGateway nodes on the store's broker, or the virtual store. */
    public boolean hearsBle() {
        var local = sources.localMqtt();
        return sources.ble().enabled() || local.enabled() && (local.espresense().enabled() || local.btToMqtt().enabled())
                || sources.virtual() != null && sources.virtual().enabled();
    }

    /** Whether anything counts the doors: the beams on GPIO, a people counter over HTTP, or the virtual store. */
    public boolean countsDoors() {
        return gpio.doorCounter() != null && gpio.doorCounter().enabled()
                || sources.httpCounters().enabled() && !sources.httpCounters().counters().isEmpty()
                || sources.virtual() != null && sources.virtual().enabled();
    }

    /**
     * Members' journeys: purchases tied to visits, click & collect arrivals. See {@code docs/journey.md}.
     *
     * @param attributionWindow a member's purchase is tied to their visit if it is open, or ended at most this long before
     * @param pickupZones       zones where a member with an order ready is taken to have arrived to collect it
     * @param pickupNear        dB within the phone's 1 m power at a pickup zone's receiver that count as arrived at
     *                          once, before the zone tracker has settled (about 3 m at 10 dB)
     * @param pickupRepeat      a member's arrival is raised again at the earliest after this
     * @param alertTopic        the local MQTT topic (on {@code sources.localMqtt}'s broker) where staff displays hear
     *                          arrivals, or null for none
     */
    public record Journey(Duration attributionWindow, List<String> pickupZones, Double pickupNear, Duration pickupRepeat, String alertTopic) {
        public Journey {
            attributionWindow = attributionWindow == null ? Duration.ofMinutes(60) : attributionWindow;
            pickupZones = pickupZones == null ? List.of("pickup", "entrance") : List.copyOf(pickupZones);
            pickupNear = pickupNear == null ? 10.0 : pickupNear;
            pickupRepeat = pickupRepeat == null ? Duration.ofMinutes(10) : pickupRepeat;
        }
    }

    /**
     * Commands from central ({@code .../cmd/{name}}, signed with Ed25519; see {@code docs/commands.md}).
     *
     * @param publicKey      central's Ed25519 public key (PEM); without it no command is taken
     * @param maxAge         a command issued longer ago (or further ahead) than this is refused as stale
     * @param membersKeyFile the key the member table is encrypted with; default: the systemd credential
     *                       {@code members-key}, else {@code stateDir/members.key}, made on first use
     * @param cardKeyFile    the tenant's key for loyalty-card hashes, shared with central so that a till's card
     *                       matches a member's; default {@code stateDir/pseudonym.key}, this gateway's own
     *                       (then cards are published as hashes central cannot match)
     * @param appBeacon      the retailer's iOS app-beacon scheme, without which members' app-beacon secrets
     *                       recognise nobody (docs/identity.md)
     */
    public record Commands(Path publicKey, Duration maxAge, Path membersKeyFile, Path cardKeyFile, AppBeaconScheme appBeacon) {
        public Commands {
            maxAge = maxAge == null ? Duration.ofMinutes(5) : maxAge;
        }

        public boolean enabled() {
            return publicKey != null;
        }
    }

    /** The app's iBeacon UUID and how often its major/minor rotates (15m). */
    public record AppBeaconScheme(java.util.UUID uuid, Duration period) {
        public AppBeaconScheme {
            period = period == null ? Duration.ofMinutes(15) : period;
        }
    }

    /**
     * The fixed-beacon fleet: which beacons to watch besides the zones' own, and how their health is
     * reported. See {@code docs/presence.md}.
     *
     * @param registered   beacon identities to watch (the zones' beacons are watched anyway)
     * @param missingAfter a watched beacon not heard this long is reported missing
     * @param healthEvery  at most one {@code beacon.health} per beacon this often
     */
    public record Beacons(List<String> registered, Duration missingAfter, Duration healthEvery) {
        public Beacons {
            registered = registered == null ? List.of() : List.copyOf(registered);
            missingAfter = missingAfter == null ? Duration.ofMinutes(30) : missingAfter;
            healthEvery = healthEvery == null ? Duration.ofHours(1) : healthEvery;
        }
    }

    /**
     * Zones and how members are placed in them; see {@code docs/presence.md}.
     *
     * @param receiverOffsets dB added to a receiver's RSSI (mounted high, in a case)
     * @param margin          dB a challenger zone must win by
     * @param wins            windows in a row it must win
     * @param visitEndAfter   a member not heard this long has left the store
     * @param filter          {@code median} or {@code kalman}: how a window's samples become one figure
     */
    public record Presence(List<Zone> zones, Map<String, Double> receiverOffsets, Duration window, Double margin, Integer wins,
                           Duration exitAfter, Duration minDwell, Duration visitEndAfter, String filter) {
        public Presence {
            zones = zones == null ? List.of() : List.copyOf(zones);
            receiverOffsets = receiverOffsets == null ? Map.of() : Map.copyOf(receiverOffsets);
            window = window == null ? Duration.ofSeconds(5) : window;
            margin = margin == null ? 6.0 : margin;
            wins = wins == null ? 2 : wins;
            exitAfter = exitAfter == null ? Duration.ofSeconds(60) : exitAfter;
            minDwell = minDwell == null ? Duration.ofSeconds(20) : minDwell;
            visitEndAfter = visitEndAfter == null ? Duration.ofMinutes(5) : visitEndAfter;
            filter = filter == null ? "median" : filter;
        }
    }

    /** A zone: the receivers that hear it best and/or the fixed beacons placed in it. */
    public record Zone(String name, List<String> receivers, List<String> beacons) {
        public Zone {
            receivers = receivers == null ? List.of() : List.copyOf(receivers);
            beacons = beacons == null ? List.of() : List.copyOf(beacons);
        }
    }

    /** The Pi's own pins (Pi4J with gpiod): a two-beam door counter, a status light, a signal output. See {@code docs/devices.md}. */
    public record Gpio(DoorCounter doorCounter, StatusLight statusLight, Signal signal) {
        /** Whether any pin is wired: only then is Pi4J started, and does doctor look at the GPIO chip. */
        public boolean used() {
            return doorCounter != null && doorCounter.enabled() || statusLight != null || signal != null;
        }
    }

    /**
     * Two infrared beams across a door.
     *
     * @param outer the street-side beam, {@code inner} the store-side one
     */
    public record DoorCounter(Boolean enabled, String door, Beam outer, Beam inner, Duration debounce, Duration minGap,
                              Duration maxTransit, Duration stuckAfter) {
        public DoorCounter {
            enabled = enabled == null || enabled;
            door = door == null ? "main" : door;
            debounce = debounce == null ? Duration.ofMillis(20) : debounce;
            minGap = minGap == null ? Duration.ofMillis(150) : minGap;
            maxTransit = maxTransit == null ? Duration.ofSeconds(2) : maxTransit;
            stuckAfter = stuckAfter == null ? Duration.ofSeconds(10) : stuckAfter;
        }
    }

    /**
     * @param pin        BCM GPIO number
     * @param brokenWhen {@code high} or {@code low}: what the receiver reads while its beam is broken
     * @param pull       {@code up}, {@code down} or {@code off}
     */
    public record Beam(Integer pin, String brokenWhen, String pull) {
        public Beam {
            brokenWhen = brokenWhen == null ? "high" : brokenWhen;
            pull = pull == null ? "up" : pull;
        }
    }

    /**
     * A light that shows the gateway's state; each pattern is on/off durations, repeated.
     *
     * @param uplinkDown shown while central cannot be reached; {@code backlog} while events pile up;
     *                   {@code fault} while anything reports a problem; {@code ok} otherwise (default: steady)
     */
    public record StatusLight(Integer pin, Boolean activeHigh, List<Duration> ok, List<Duration> uplinkDown,
                              List<Duration> backlog, List<Duration> fault) {
        public StatusLight {
            activeHigh = activeHigh == null || activeHigh;
            uplinkDown = uplinkDown == null ? List.of(Duration.ofMillis(100), Duration.ofMillis(900)) : List.copyOf(uplinkDown);
            backlog = backlog == null ? List.of(Duration.ofSeconds(1), Duration.ofSeconds(1)) : List.copyOf(backlog);
            fault = fault == null ? List.of(Duration.ofMillis(150), Duration.ofMillis(150)) : List.copyOf(fault);
        }
    }

    /** A buzzer or light the loyalty layer sounds for pickup arrivals; {@code pickup} is played once. */
    public record Signal(Integer pin, Boolean activeHigh, List<Duration> pickup) {
        public Signal {
            activeHigh = activeHigh == null || activeHigh;
            pickup = pickup == null ? List.of(Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(200),
                    Duration.ofMillis(100), Duration.ofMillis(600)) : List.copyOf(pickup);
        }
    }

    /** The MQTT connection to central. */
    public record Uplink(String broker, String clientId, String username, Path passwordFile, Tls tls,
                         Duration keepAlive, Integer maxInflight, Backoff backoff) {
        public Uplink {
            keepAlive = keepAlive == null ? Duration.ofSeconds(30) : keepAlive;
            maxInflight = maxInflight == null ? 64 : maxInflight;
            backoff = backoff == null ? new Backoff(null, null) : backoff;
        }
    }

    /** PEM files for TLS; {@code cert} and {@code key} together turn on mutual TLS. */
    public record Tls(Path ca, Path cert, Path key) {
    }

    /** Reconnect delays: exponential from {@code base}, never above {@code cap}, with full jitter. */
    public record Backoff(Duration base, Duration cap) {
        public Backoff {
            base = base == null ? Duration.ofSeconds(1) : base;
            cap = cap == null ? Duration.ofSeconds(60) : cap;
        }
    }

    /**
     * The durable queue of events.
     *
     * @param commitInterval how long the group committer waits after an append for more to join its commit;
     *                       0 commits what queued during the last commit's fsync ({@link #DEFAULT_COMMIT_INTERVAL})
     * @param ttl            overrides of the catalogue's time-to-live, keyed by event type ({@code family.name})
     * @param diskReserve    free space kept on the outbox's disk: while there is less, the outbox takes no more room
     */
    public record Outbox(Path path, ByteSize budget, Duration commitInterval, Map<String, Duration> ttl,
                         Duration idempotencyWindow, ByteSize diskReserve) {

        /**
         * Every commit rewrites the pages its rows touch (the tail of the queue, the keys' leaves, the paths
         * above them) and syncs: at full load, 2 ms of gathering made batches of about 45 events instead
         * of 16 and cut the committer's CPU per event by a quarter (README, "Benchmarks"); a till may wait
         * up to 2 ms longer (with eight tills, no difference beyond the spread).
         */
        public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(2);

        public Outbox {
            budget = budget == null ? ByteSize.parse("256MB") : budget;
            commitInterval = commitInterval == null ? DEFAULT_COMMIT_INTERVAL : commitInterval;
            ttl = ttl == null ? Map.of() : Map.copyOf(ttl);
            idempotencyWindow = idempotencyWindow == null ? Duration.ofDays(7) : idempotencyWindow;
            diskReserve = diskReserve == null ? new ByteSize(io.storegw.gateway.outbox.Outbox.DEFAULT_DISK_RESERVE_BYTES) : diskReserve;
        }
    }

    /**
     * The core loop.
     *
     * @param bucket         width of the counting buckets (footfall, presence counts)
     * @param kAnonymity     counts below this are suppressed in anonymous events
     * @param telemetry      how often the gateway reports on itself
     */
    public record Core(Integer queueCapacity, Duration bucket, Integer kAnonymity, Duration telemetry) {
        public Core {
            queueCapacity = queueCapacity == null ? 512 : queueCapacity;
            bucket = bucket == null ? Duration.ofMinutes(1) : bucket;
            kAnonymity = kAnonymity == null ? 5 : kAnonymity;
            telemetry = telemetry == null ? Duration.ofMinutes(1) : telemetry;
        }
    }

    /** The drivers to start. */
    public record Sources(Virtual virtual, Pos pos, LocalMqtt localMqtt, HttpCounters httpCounters, Ble ble) {
        public Sources {
            ble = ble == null ? new Ble(null, null, null, null, null, null) : ble;
            pos = pos == null ? new Pos(null, null, null, null, null, null) : pos;
            localMqtt = localMqtt == null ? new LocalMqtt(null, null, null, null, null, null, null, null, null, null) : localMqtt;
            httpCounters = httpCounters == null ? new HttpCounters(null, null, null) : httpCounters;
        }
    }

    /**
     * The gateway's own Bluetooth radio; off unless enabled. See {@code docs/ble.md}.
     *
     * @param driver     {@code bluez} (BlueZ over D-Bus), the only one so far; a config value so others can be added
     * @param adapter    {@code hci0}, or absent for the first adapter BlueZ has
     * @param receiverId what sightings name this radio as (default: the gateway id)
     * @param bus        a D-Bus address, or absent for the system bus
     * @param recheck    how often a missing adapter or bluetoothd is looked for again
     */
    public record Ble(Boolean enabled, String driver, String adapter, String receiverId, String bus, Duration recheck) {
        public Ble {
            enabled = enabled != null && enabled;
            driver = driver == null ? "bluez" : driver;
            recheck = recheck == null ? Duration.ofSeconds(2) : recheck;
        }
    }

    /** People counters polled over HTTP (Axis {@code live-sum.json}); off unless enabled. */
    public record HttpCounters(Boolean enabled, Duration poll, List<HttpCounter> counters) {
        public HttpCounters {
            enabled = enabled != null && enabled;
            poll = poll == null ? Duration.ofSeconds(10) : poll;
            counters = counters == null ? List.of() : List.copyOf(counters);
        }
    }

    /** @param id the door it counts, as events name it */
    public record HttpCounter(String id, String url, String username, Path passwordFile) {
    }

    /**
     * The store's own MQTT broker and the devices publishing there; off unless enabled. See {@code docs/devices.md}.
     *
     * @param broker       default {@code tcp://127.0.0.1:1883}, a Mosquitto on the gateway itself
     * @param offlineAfter silence after which a device is reported offline
     * @param deadLetter   where malformed messages are kept (default {@code {stateDir}/local-mqtt/dead-letter})
     */
    public record LocalMqtt(Boolean enabled, String broker, String clientId, String username, Path passwordFile,
                            Espresense espresense, BtToMqtt btToMqtt, List<Device> devices, Duration offlineAfter,
                            Path deadLetter) {
        public LocalMqtt {
            enabled = enabled != null && enabled;
            broker = broker == null ? "tcp://127.0.0.1:1883" : broker;
            espresense = espresense == null ? new Espresense(null, null) : espresense;
            btToMqtt = btToMqtt == null ? new BtToMqtt(null, null) : btToMqtt;
            devices = devices == null ? List.of() : List.copyOf(devices);
            offlineAfter = offlineAfter == null ? Duration.ofMinutes(5) : offlineAfter;
        }
    }

    /** ESPresense room nodes under {@code prefix}; on by default when local MQTT is. */
    public record Espresense(Boolean enabled, String prefix) {
        public Espresense {
            enabled = enabled == null || enabled;
            prefix = prefix == null ? "espresense" : prefix;
        }
    }

    /** OpenMQTTGateway and Theengs Gateway under {@code root}; on by default when local MQTT is. */
    public record BtToMqtt(Boolean enabled, String root) {
        public BtToMqtt {
            enabled = enabled == null || enabled;
            root = root == null ? "home" : root;
        }
    }

    /**
     * One kind of store device: its topic filter, its id ({@code {N}} is topic level N), what it is, and
     * the JSON fields to read.
     */
    public record Device(String topic, String device, String kind, List<DeviceValue> values) {
        public Device {
            values = values == null ? List.of() : List.copyOf(values);
        }
    }

    /** @param field a dotted JSON path, or absent to count the message as 1 */
    public record DeviceValue(String field, String quantity, String unit) {
    }

    /**
     * Till input; see {@code docs/pos.md}.
     *
     * @param deadLetter   where refused till input is kept (default {@code {stateDir}/pos/dead-letter})
     * @param maxDocument  largest document a till may send
     * @param loyaltyPaths further POSLog element paths that hold a loyalty number
     * @param currency     the store's ISO 4217 currency, for tills that name none (Lightspeed); unset, such input is refused
     */
    public record Pos(PosHttp http, PosSpool spool, Path deadLetter, ByteSize maxDocument, List<String> loyaltyPaths,
                      String currency) {
        public Pos {
            http = http == null ? new PosHttp(null, null, null, null, null, null, null) : http;
            spool = spool == null ? new PosSpool(null, null, null, null) : spool;
            maxDocument = maxDocument == null ? ByteSize.parse("2MB") : maxDocument;
            loyaltyPaths = loyaltyPaths == null ? List.of() : List.copyOf(loyaltyPaths);
        }
    }

    /**
     * A folder tills write POSLog files into; off unless enabled.
     *
     * @param folder   default {@code {stateDir}/pos/spool}; {@code done/} and {@code failed/} are made inside it
     * @param keepDone how long taken files stay in {@code done/}
     */
    public record PosSpool(Boolean enabled, Path folder, Duration poll, Duration keepDone) {
        public PosSpool {
            enabled = enabled != null && enabled;
            poll = poll == null ? Duration.ofSeconds(1) : poll;
            keepDone = keepDone == null ? Duration.ofDays(7) : keepDone;
        }
    }

    /**
     * {@code POST /pos/v1/poslog} and {@code /pos/v1/json/{profile}}; off unless enabled.
     *
     * @param tokensFile one till per line: its name, then its bearer token
     * @param square     accept Square webhooks relayed as-is, by their signature
     * @param shopify    accept Shopify webhooks relayed as-is, by their signature
     * @param tls        serve HTTPS with this certificate and key
     */
    public record PosHttp(Boolean enabled, String host, Integer port, Path tokensFile, SquareWebhooks square,
                          ShopifyWebhooks shopify, ServerTls tls) {
        public PosHttp {
            enabled = enabled != null && enabled;
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 8780 : port;
        }

        /** Where tills post, as configured: {@code http://HOST:PORT}, or https with {@code tls}. */
        public String url() {
            return (tls == null ? "http://" : "https://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * @param signatureKeyFile holds the webhook subscription's signature key
     * @param notificationUrl  the URL exactly as the Square subscription names it (it is part of what Square signs)
     */
    public record SquareWebhooks(Path signatureKeyFile, String notificationUrl) {
    }

    /** @param secretFile holds the Shopify app's client secret, which signs its webhooks */
    public record ShopifyWebhooks(Path secretFile) {
    }

    /** A server's PEM certificate chain and unencrypted PKCS#8 key. */
    public record ServerTls(Path certificate, Path key) {
    }

    /** The simulated store; see {@code io.storegw.drivers.virtual.VirtualStore}. */
    public record Virtual(Boolean enabled, Long seed, Double rate, Long limit) {
        public Virtual {
            enabled = enabled == null || enabled;
            seed = seed == null ? 42L : seed;
            rate = rate == null ? 20.0 : rate;
            limit = limit == null ? 0L : limit;
        }
    }

    /**
     * Local endpoints for operators.
     *
     * @param socket the admin API's Unix socket ({@code storegw status} and friends), or null for none;
     *               {@code storegw init} writes {@code /run/storegw/admin.sock}
     */
    public record Admin(Http http, Path socket) {
        public Admin {
            http = http == null ? new Http(null, null, null) : http;
        }
    }

    /** {@code /healthz} and {@code /metrics}; loopback unless told otherwise. */
    public record Http(Boolean enabled, String host, Integer port) {
        public Http {
            enabled = enabled == null || enabled;
            host = host == null ? "127.0.0.1" : host;
            port = port == null ? 9780 : port;
        }
    }

    /** The same config with another broker URI (the demo points it at its embedded broker). */
    public GatewayConfig withBroker(String broker) {
        var u = uplink;
        return new GatewayConfig(tenant, store, gateway, timeZone, stateDir,
                new Uplink(broker, u.clientId(), u.username(), u.passwordFile(), u.tls(), u.keepAlive(), u.maxInflight(), u.backoff()),
                outbox, core, sources, gpio, presence, beacons, commands, journey, admin);
    }

    /** Where the outbox lives: its own setting, or {@code stateDir/outbox}. */
    public Path outboxPath() {
        return outbox.path() != null ? outbox.path() : stateDir.resolve("outbox");
    }

    /** The gateway's names, which make its CloudEvents source and its topics. */
    public GatewayIdentity identity() {
        return new GatewayIdentity(tenant, store, gateway);
    }

    /** The MQTT client id: its own setting, or one made from the gateway's names. */
    public String clientId() {
        return uplink.clientId() != null ? uplink.clientId() : "storegw-" + tenant + "-" + store + "-" + gateway;
    }
}
