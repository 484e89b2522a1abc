package io.storegw.gateway;

import io.storegw.drivers.ble.bluez.BlueZScanner;
import io.storegw.drivers.ble.identity.AppBeacon;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.ble.identity.SessionReferences;
import io.storegw.drivers.counter.HttpCounterSource;
import io.storegw.drivers.localmqtt.DeviceMapping;
import io.storegw.drivers.localmqtt.LocalMqttSource;
import io.storegw.drivers.pos.PosHttpSource;
import io.storegw.drivers.pos.PosSettings;
import io.storegw.drivers.pos.PosSpoolSource;
import io.storegw.drivers.pos.TillAuth;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.virtual.VirtualStore;
import io.storegw.gateway.admin.AdminHttpServer;
import io.storegw.gateway.command.CentralCommands;
import io.storegw.gateway.command.CommandVerifier;
import io.storegw.gateway.journey.JourneyAttribution;
import io.storegw.gateway.journey.LocalMqttAlerts;
import io.storegw.gateway.journey.PickupAlerts;
import io.storegw.gateway.journey.PickupDesk;
import io.storegw.gateway.members.MemberDirectory;
import io.storegw.gateway.members.MemberStore;
import io.storegw.gateway.beacons.BeaconFleet;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.core.CoreLoop;
import io.storegw.gateway.devices.DeviceHandler;
import io.storegw.gateway.devices.GpioDevices;
import io.storegw.gateway.core.ObservationHandler;
import io.storegw.gateway.core.Pipeline;
import io.storegw.gateway.core.SavedState;
import io.storegw.gateway.core.TimeBuckets;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.health.Telemetry;
import io.storegw.gateway.health.ClockSync;
import io.storegw.gateway.health.SourceProblems;
import io.storegw.gateway.health.TelemetryHandler;
import io.storegw.gateway.metrics.Rates;
import io.storegw.gateway.layout.Layout;
import io.storegw.gateway.layout.LayoutEditor;
import io.storegw.gateway.layout.StoreLayout;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.metrics.Refusals;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.pos.PosTransactionHandler;
import io.storegw.gateway.presence.PresenceCountsHandler;
import io.storegw.gateway.presence.ZoneTracker;
import io.storegw.gateway.privacy.KeyedHash;
import io.storegw.gateway.store.FootfallHandler;
import io.storegw.gateway.store.OccupancyHandler;
import io.storegw.gateway.systemd.ServiceManager;
import io.storegw.gateway.uplink.Uplink;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.tinylog.Logger;
import org.tinylog.jul.JulTinylogBridge;

/**
 * One running gateway: outbox, core loop, uplink, admin endpoint and sources, started in the order
 * that keeps data safe (the outbox first, the sources last) and stopped in the reverse.
 */
public final class Gateway implements AutoCloseable {

    /** How often the sources' problems are looked at for the journal. */
    private static final Duration SOURCE_PROBLEMS_EVERY = Duration.ofSeconds(2);

    private final GatewayConfig config;
    private final Metrics metrics = new Metrics();
    private final Outbox outbox;
    private final CoreLoop core;
    private final Uplink uplink;
    /** Central's commands and the member table, or null when no command key is configured. */
    private final CentralCommands commands;
    private final MemberStore members;
    /** Arrivals for staff displays on the store's broker, or null. */
    private final LocalMqttAlerts localAlerts;
    /** The members as tills, radios and the journey read them; filled from the member table. */
    private final MemberDirectory directory = new MemberDirectory();
    private final AdminHttpServer admin;
    private final AdminHttpServer adminSocket;
    private final List<ObservationSource> sources = new ArrayList<>();
    private final GpioDevices gpio;
    private final StoreLayout layout;
    private final Rates rates;
    /**
     * Samples {@link #rates}, so that a one-off {@code storegw status} has the last minute behind it, and puts the
     * sources' problems in the journal as they come and go.
     */
    private final ScheduledExecutorService statusSampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "status-sampler");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    private ClockSync.State clockState;
    private long clockAskedNanos;
    private final long startedMillis;
    private final Clock clock;
    /** systemd, when it runs us as a notify service; otherwise a no-op. */
    private final ServiceManager service = ServiceManager.fromEnvironment(System.getenv());

    private Gateway(GatewayConfig config, Clock clock, LongSupplier monotonicNanos) throws IOException, SQLException, InterruptedException {
        this.config = config;
        this.clock = clock;
        this.startedMillis = clock.millis();
        // elapsed time, not the wall clock: a clock set back would hold the rates at zero until it came round again
        this.rates = new Rates(() -> monotonicNanos.getAsLong() / 1_000_000, () -> metrics.count("storegw_core_observations_total"),
                () -> metrics.count("storegw_outbox_appended_total"), () -> metrics.count("storegw_uplink_published_total"));
        GatewayIdentity identity = config.identity();
        EventIds ids = new EventIds(clock);
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            throw new IOException("cannot make the state directory (stateDir) " + config.stateDir(), e);
        }
        var o = config.outbox();
        outbox = Outbox.open(new Outbox.Settings(config.outboxPath(), o.budget().bytes(), o.commitInterval(), o.ttl(), o.idempotencyWindow(),
                        o.diskReserve().bytes()),
                identity, ids, clock, monotonicNanos, metrics);
        try {
            outbox.announceNewNumbering();
            layout = new StoreLayout(config, outbox::saved);
            var local = config.sources().localMqtt();
            localAlerts = config.journey().alertTopic() == null ? null : new LocalMqttAlerts(local.broker(), config.clientId() + "-alerts",
                    local.username(), local.passwordFile(), config.journey().alertTopic(), metrics, clock);
            List<ObservationHandler> handlers = handlers(config,
                    KeyedHash.loadOrCreate(config.commands().cardKeyFile() != null
                            ? config.commands().cardKeyFile() : config.stateDir().resolve("pseudonym.key")), this::telemetry, outbox::saved, layout,
                    directory, this::raisePickup);
            core = new CoreLoop(new Pipeline(handlers, ids, clock), outbox, config.core().queueCapacity(),
                    Duration.ofSeconds(1), metrics);
            var u = config.uplink();
            var tls = u.tls();
            uplink = new Uplink(new Uplink.Settings(u.broker(), config.clientId(), u.username(), u.passwordFile(),
                    tls == null ? null : tls.ca(), tls == null ? null : tls.cert(), tls == null ? null : tls.key(),
                    u.keepAlive(), u.maxInflight(), u.backoff().base(), u.backoff().cap()),
                    identity, outbox, Version.current(), clock, metrics, config.stateDir().resolve("uplink").resolve("refused"));
            var pos = config.sources().pos();
            Map<String, String> tillByToken = pos.http().enabled() && pos.http().tokensFile() != null
                    ? tillTokens(pos.http().tokensFile()) : Map.of();
            LayoutEditor editor = new LayoutEditor(layout, core, Set.copyOf(tillByToken.values()));
            if (config.commands().enabled()) {
                members = MemberStore.open(config.stateDir().resolve("members"), membersKeyFile(config, System.getenv()),
                        config.commands().maxAge());
                commands = new CentralCommands(new CommandVerifier(centralKey(config), config.commands().maxAge(), clock),
                        config.commands(), members, directory, editor, core, outbox, uplink, clock, Version.current(), metrics);
                uplink.listen(commands);
            } else {
                members = null;
                commands = null;
            }
            var http = config.admin().http();
            admin = http.enabled() ? new AdminHttpServer(http.host(), http.port(), this::problem, metrics) : null;
            adminSocket = config.admin().socket() == null ? null
                    : new AdminHttpServer(config.admin().socket(), this::problem, metrics,
                            new AdminApi(outbox, layout, editor, uplink, pos.http().enabled() ? pos.http().url() : null, config.hearsBle()).routes(this::status));
            var virtual = config.sources().virtual();
            if (virtual != null && virtual.enabled()) {
                sources.add(new VirtualStore(new VirtualStore.Settings(virtual.seed(), virtual.rate(), virtual.limit()), clock));
            }
            if (pos.http().enabled()) {
                var till = pos.http();
                if (tillByToken.isEmpty() && layout.view().layout().tills().isEmpty() && till.square() == null && till.shopify() == null) {
                    Logger.warn("The till port takes no till yet: add one with storegw tills add NAME (or list them in"
                            + " sources.pos.http.tokensFile); until then every post is refused");
                }
                sources.add(new PosHttpSource(new PosHttpSource.Settings(till.host(), till.port(), (int) pos.maxDocument().bytes(),
                        tillAuth(till, tillByToken, layout), pos.deadLetter() != null ? pos.deadLetter() : config.stateDir().resolve("pos").resolve("dead-letter"),
                        posSettings(config), till.tls() == null ? null : new PosHttpSource.Tls(till.tls().certificate(), till.tls().key()),
                        PosHttpSource.inProgressBudget(Runtime.getRuntime().maxMemory())), clock));
            }
            // one key per store day for every radio, in memory only: anonymous devices are counted one by one, never followed
            SessionReferences sessions = new SessionReferences(ZoneId.of(config.timeZone()), new SecureRandom(),
                    SessionReferences.PER_MINUTE, crowdWarning());
            if (local.enabled()) {
                sources.add(new LocalMqttSource(new LocalMqttSource.Settings(local.broker(),
                        local.clientId() != null ? local.clientId() : config.clientId() + "-local", local.username(), local.passwordFile(),
                        local.espresense().enabled() ? local.espresense().prefix() : null,
                        local.btToMqtt().enabled() ? local.btToMqtt().root() : null,
                        local.devices().stream().map(d -> new DeviceMapping(d.topic(), d.device(), d.kind(), d.values().stream()
                                .map(v -> new DeviceMapping.Field(v.field(), v.quantity(), v.unit())).toList())).toList(),
                        local.offlineAfter(),
                        local.deadLetter() != null ? local.deadLetter() : config.stateDir().resolve("local-mqtt").resolve("dead-letter")),
                        new IdentityResolver(identitySettings(config), List.of(), sessions, directory.registrations()), Map.of(), clock));
            }
            var ble = config.sources().ble();
            if (ble.enabled()) {
                sources.add(new BlueZScanner(new BlueZScanner.Settings(ble.bus(), ble.adapter(),
                        ble.receiverId() != null ? ble.receiverId() : config.gateway(), ble.recheck()),
                        new IdentityResolver(identitySettings(config), List.of(), sessions, directory.registrations()), clock, null));
            }
            var counters = config.sources().httpCounters();
            if (counters.enabled()) {
                sources.add(new HttpCounterSource(new HttpCounterSource.Settings(counters.counters().stream()
                        .map(c -> new HttpCounterSource.Counter(c.id(), URI.create(c.url()), c.username(), c.passwordFile())).toList(),
                        counters.poll(), config.stateDir().resolve("counters.json")), clock));
            }
            if (pos.spool().enabled()) {
                sources.add(new PosSpoolSource(new PosSpoolSource.Settings(
                        pos.spool().folder() != null ? pos.spool().folder() : config.stateDir().resolve("pos").resolve("spool"),
                        pos.spool().poll(), pos.spool().keepDone(), posSettings(config)), clock));
            }
            gpio = GpioDevices.open(config.gpio(), clock);
            if (gpio.problem() != null) {
                Logger.warn(gpio.problem()); // it does not change while the gateway runs: told once, and in /healthz
            }
            gpio.doorCounter().ifPresent(sources::add);
        } catch (IOException | SQLException | InterruptedException | RuntimeException e) {
            outbox.close();
            service.close();
            throw e;
        }
    }

    /** How till documents are read in this store; {@code storegw pos parse} reads them the same way. */
    public static PosSettings posSettings(GatewayConfig config) {
        var pos = config.sources().pos();
        return new PosSettings(ZoneId.of(config.timeZone()), pos.maxDocument().bytes(), pos.loyaltyPaths(), pos.currency());
    }

    /** The till port's schemes, in the order they are asked: bearer tokens, then the vendors' webhook signatures. */
    private static List<TillAuth> tillAuth(GatewayConfig.PosHttp http, Map<String, String> tillByToken, StoreLayout layout)
            throws IOException {
        List<TillAuth> auth = new ArrayList<>();
        if (!tillByToken.isEmpty()) {
            auth.add(new TillAuth.BearerTokens(tillByToken));
        }
        auth.add(new TillAuth.HashedTokens(() -> layout.view().tillByTokenHash()));
        if (http.square() != null) {
            auth.add(new TillAuth.SquareSignature(secret(http.square().signatureKeyFile()), http.square().notificationUrl()));
        }
        if (http.shopify() != null) {
            auth.add(new TillAuth.ShopifySignature(secret(http.shopify().secretFile())));
        }
        return auth;
    }

    /** A secret kept in a file of its own, as its only line. */
    private static byte[] secret(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new IOException(file + " is empty: expected the secret as its only line");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a tokens file: one till per line, its name then its bearer token; {@code #} starts a comment. */
    static Map<String, String> tillTokens(Path file) throws IOException {
        Map<String, String> tokens = new HashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2 || parts[1].length() < 16) {
                throw new IOException(file + " line " + (i + 1) + ": expected a till name and a token of at least 16 characters");
            }
            if (tokens.put(parts[1], parts[0]) != null) {
                throw new IOException(file + " line " + (i + 1) + ": a token may name one till only");
            }
        }
        if (tokens.isEmpty()) {
            throw new IOException(file + " names no till");
        }
        return tokens;
    }

    /** The tracker's settings from the presence config; the presence benchmark starts from the same defaults. */
    public static ZoneTracker.Settings zoneSettings(GatewayConfig.Presence p, int kAnonymity) {
        return new ZoneTracker.Settings(ZoneTracker.zones(p.zones()), p.receiverOffsets(), p.window(), p.margin(), p.wins(), p.exitAfter(), p.minDwell(), p.visitEndAfter(),
                kAnonymity, ZoneTracker.Filter.valueOf(p.filter().toUpperCase(java.util.Locale.ROOT)));
    }

    /** The core pipeline's handlers, in order; benchmarks build the same pipeline without a gateway around it. */
    public static List<ObservationHandler> handlers(GatewayConfig config, KeyedHash keyedHash, Supplier<Telemetry> telemetry,
                                                    SavedState saved) {
        return handlers(config, keyedHash, telemetry, saved, new MemberDirectory(), PickupAlerts.NONE);
    }

    /** The same, with registered members and where arrivals are raised (the journey benchmark). */
    public static List<ObservationHandler> handlers(GatewayConfig config, KeyedHash keyedHash, Supplier<Telemetry> telemetry,
                                                    SavedState saved, MemberDirectory members, PickupAlerts alerts) {
        return handlers(config, keyedHash, telemetry, saved, new StoreLayout(config, saved), members, alerts);
    }

    private static List<ObservationHandler> handlers(GatewayConfig config, KeyedHash keyedHash, Supplier<Telemetry> telemetry,
                                                     SavedState saved, StoreLayout storeLayout, MemberDirectory members,
                                                     PickupAlerts alerts) {
        TimeBuckets buckets = new TimeBuckets(config.core().bucket());
        Layout layout = storeLayout.view().layout();
        ZoneTracker zones = new ZoneTracker(zoneSettings(config.presence(), config.core().kAnonymity()).with(layout), buckets, saved);
        var journey = config.journey();
        FootfallHandler doors = new FootfallHandler(buckets, config.countsDoors());
        return List.of(
                storeLayout,
                new PosTransactionHandler(config.store(), keyedHash, members),
                new OccupancyHandler(buckets, config.core().kAnonymity(), doors),
                doors,
                new DeviceHandler(),
                new PresenceCountsHandler(buckets, config.core().kAnonymity()),
                zones,
                // after the tracker: they read where members are, this observation included
                new JourneyAttribution(zones, keyedHash, members, journey.attributionWindow()),
                new PickupDesk(zones, keyedHash, members, Set.copyOf(journey.pickupZones()), journey.pickupNear(), journey.pickupRepeat(),
                        alerts, saved),
                new BeaconFleet(layout.watchedBeacons(), config.beacons().missingAfter(), config.beacons().healthEvery()),
                new TelemetryHandler(config.core().telemetry(), telemetry));
    }

    /**
     * Counts the sightings of anonymous devices past the minute's limit ({@link SessionReferences#PER_MINUTE}), and says
     * so in the journal at most once an hour: BLE advertising spam, or a place more crowded than a store.
     */
    private Runnable crowdWarning() {
        LongAdder merged = metrics.counter("storegw_ble_anonymous_merged_total",
                "Sightings of anonymous devices past the " + SessionReferences.PER_MINUTE + " told apart in a minute, counted as one device");
        AtomicLong warnedAt = new AtomicLong(Long.MIN_VALUE);
        return () -> {
            merged.increment();
            long now = clock.millis();
            long last = warnedAt.get();
            if ((last == Long.MIN_VALUE || now - last >= TimeUnit.HOURS.toMillis(1)) && warnedAt.compareAndSet(last, now)) {
                Logger.warn("More than {} anonymous BLE devices heard within a minute: the rest of each such minute count as one"
                        + " device in presence counts (members are not affected). BLE advertising spam near the store, or a crowd;"
                        + " storegw_ble_anonymous_merged_total counts them. Said at most once an hour.", SessionReferences.PER_MINUTE);
            }
        };
    }

    /** Raises an arrival in the store: the staff displays' topic and the signal output, whichever there are. */
    private void raisePickup(PickupDesk.PickupArrived arrived) {
        if (localAlerts != null) {
            localAlerts.arrived(arrived);
        }
        if (gpio != null && gpio.signalPickup()) {
            PickupAlerts.counter(metrics, "gpio", "sent").increment();
        }
    }

    /** How the radios recognise members: the defaults, and the app-beacon scheme when the retailer's app has one ({@code storegw ble scan} too). */
    public static IdentityResolver.Settings identitySettings(GatewayConfig config) {
        var scheme = config.commands().appBeacon();
        return scheme == null ? IdentityResolver.Settings.defaults()
                : IdentityResolver.Settings.defaults().withAppBeacon(new AppBeacon(scheme.uuid(), scheme.period()));
    }

    /**
     * The member table's key: the configured file, else the systemd credential {@code members-key}
     * (the unit loads it from a root-only file), else {@code stateDir/members.key}.
     */
    static Path membersKeyFile(GatewayConfig config, Map<String, String> env) {
        if (config.commands().membersKeyFile() != null) {
            return config.commands().membersKeyFile();
        }
        String credentials = env.get("CREDENTIALS_DIRECTORY");
        if (credentials != null && Files.isReadable(Path.of(credentials, "members-key"))) {
            return Path.of(credentials, "members-key");
        }
        return config.stateDir().resolve("members.key");
    }

    private static java.security.PublicKey centralKey(GatewayConfig config) throws IOException {
        try {
            return CommandVerifier.publicKey(config.commands().publicKey());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("commands.publicKey: " + e.getMessage(), e);
        }
    }

    /**
     * Sends what libraries log through java.util.logging (Paho: a keep-alive timed out) to tinylog, in the gateway's
     * format and stream instead of JUL's two-line one on stderr. For a command that runs the gateway: it replaces JUL's
     * handlers, and fixes tinylog's configuration (set none after it).
     */
    public static void routeLibraryLogs() {
        JulTinylogBridge.activate();
    }

    /** Opens the outbox, then starts the core, the uplink and the sources. */
    public static Gateway start(GatewayConfig config, Clock clock) throws IOException, SQLException, InterruptedException {
        return start(config, clock, System::nanoTime);
    }

    /**
     * The same on a clock whose monotonic time is {@code monotonicNanos}: a test's clock that moves at its own pace
     * (the outbox tells the wall clock being set from the two drifting apart).
     */
    public static Gateway start(GatewayConfig config, Clock clock, LongSupplier monotonicNanos) throws IOException, SQLException, InterruptedException {
        Gateway g = new Gateway(config, clock, monotonicNanos);
        g.core.start();
        if (g.commands != null) {
            try {
                g.commands.finishRevocations();
            } catch (Exception e) {
                g.close();
                throw new IOException("cannot finish a consent revocation a crash interrupted: " + e.getMessage(), e);
            }
        }
        g.uplink.start();
        g.statusSampler.scheduleAtFixedRate(g.rates::sample, 0, Rates.SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        for (ObservationSource source : g.sources) {
            source.start(g.core);
            Logger.info("Source {} started", source.name());
        }
        SourceProblems problems = new SourceProblems();
        g.statusSampler.scheduleWithFixedDelay(() -> g.sources.forEach(s -> problems.look(s.name(), s.problem())),
                SOURCE_PROBLEMS_EVERY.toMillis(), SOURCE_PROBLEMS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        g.gpio.startStatusLight(g::faults, g.uplink::connected, g.outbox::rows);
        Logger.info("storegw {} running for {}", Version.current(), config.identity().name());
        // the outbox is open and the sources run: from here on an acknowledgement means durable
        g.service.notify("READY=1\nSTATUS=running for " + config.identity().name());
        g.service.startWatchdog(System.getenv(), g.core::problem);
        return g;
    }

    /** Null when the core loop, outbox, uplink and sources are healthy; otherwise every reason, one per line. */
    public String problem() {
        return join(Stream.concat(Stream.of(uplink.problem()), problems()));
    }

    /** Every problem but the uplink's: what the status light shows as a fault. */
    private String faults() {
        return join(problems());
    }

    private Stream<String> problems() {
        return Stream.concat(Stream.of(core.problem(), outbox.problem(), gpio.problem()),
                sources.stream().map(s -> s.problem() == null ? null : s.name() + ": " + s.problem()));
    }

    private static String join(Stream<String> problems) {
        List<String> list = problems.filter(Objects::nonNull).toList();
        return list.isEmpty() ? null : String.join("\n", list);
    }

    /** The signal output (buzzer or light) and its pickup pattern, when one is wired; the loyalty layer sounds it. */
    public GpioDevices gpio() {
        return gpio;
    }

    /** What {@code storegw status} shows: the gateway's state now. */
    public Status status() {
        var stats = outbox.stats();
        long now = clock.millis();
        double[] rates = this.rates.perSecond();
        Refusals.Tally refused = uplink.refused();
        return new Status(Version.current(), config.identity().name(), (now - startedMillis) / 1000,
                problem(), new Status.Uplink(config.uplink().broker(), uplink.connected(), uplink.problem(),
                        metrics.count("storegw_uplink_published_total"), refused.count(), refused.last(),
                        uplink.stateProblem()),
                new Status.Backlog(stats.rows(), stats.bytes(), stats.oldestMillis() == 0 ? 0 : Math.max(0, (now - stats.oldestMillis()) / 1000),
                        stats.committedSeq(), outbox.byClass()),
                metrics.count("storegw_core_observations_total"), new Status.Rates(rates[0], rates[1], rates[2]),
                sources.stream().map(this::sourceStatus).toList(), commands == null ? null : commands.tally(), clockSync());
    }

    private Status.Source sourceStatus(ObservationSource s) {
        Refusals.Tally refused = core.refusedInput().of(s.name());
        return new Status.Source(s.name(), s.problem(), refused.count(), refused.last());
    }

    /** The clock's sync state, asked at most every half minute (it may run timedatectl). */
    private synchronized ClockSync.State clockSync() {
        long now = System.nanoTime();
        if (clockState == null || now - clockAskedNanos > TimeUnit.SECONDS.toNanos(30)) {
            clockState = ClockSync.now();
            clockAskedNanos = now;
        }
        return clockState;
    }

    private Telemetry telemetry() {
        var stats = outbox.stats();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Telemetry(Version.current(), (clock.millis() - startedMillis) / 1000,
                metrics.count("storegw_core_observations_total"), stats.committedSeq(), stats.rows(), stats.bytes(), heap,
                Math.max(0, metrics.count("storegw_uplink_connects_total") - 1));
    }

    public Metrics metrics() {
        return metrics;
    }

    public Outbox outbox() {
        return outbox;
    }

    public CoreLoop core() {
        return core;
    }

    /** The registered members as the handlers and radios read them. */
    public MemberDirectory members() {
        return directory;
    }

    public CentralCommands commands() {
        return commands;
    }

    public Uplink uplink() {
        return uplink;
    }

    /** The admin HTTP port, or -1 when disabled. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public GatewayConfig config() {
        return config;
    }

    /** Stops the sources, drains the core into the outbox, says offline, and closes the outbox. */
    @Override
    public void close() {
        service.notify("STOPPING=1");
        statusSampler.shutdownNow();
        sources.forEach(ObservationSource::close);
        if (commands != null) {
            try {
                commands.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        core.close();
        uplink.close();
        if (admin != null) {
            admin.close();
        }
        if (adminSocket != null) {
            adminSocket.close();
        }
        gpio.close();
        if (localAlerts != null) {
            localAlerts.close();
        }
        if (members != null) {
            try {
                members.close();
            } catch (SQLException e) {
                Logger.warn("Closing the member table: {}", e.getMessage());
            }
        }
        outbox.close();
        Logger.info("storegw stopped");
        service.close();
    }
}
