package io.storegw.gateway.uplink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.drivers.Errors;
import io.storegw.drivers.source.DeadLetters;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.event.EventCatalogue;
import io.storegw.gateway.event.EventType;
import io.storegw.gateway.event.GatewayIdentity;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.metrics.Refusals;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.outbox.OutboxRow;
import io.storegw.gateway.outbox.OutboxStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.eclipse.paho.mqttv5.common.packet.MqttWireMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.tinylog.Logger;

/**
 * Publishes the outbox to central over MQTT 5 (Paho), QoS 1, in sequence order.
 *
 * <p>Keeps up to min(configured cap, broker's Receive Maximum) messages in flight; a row leaves the
 * outbox only on PUBACK. After any disconnect it reconnects with jittered backoff and reads the outbox
 * from its oldest row again, so everything not acknowledged is sent again (at-least-once; consumers
 * drop duplicates by CloudEvents id). The outbox is the only persistence: Paho keeps nothing.
 *
 * <p>A PUBACK with a failure code is not an acknowledgement. A refusal for good (not authorized, say), and an
 * event larger than the broker's Maximum Packet Size, go to {@link RefusedEvents}: sending them again would
 * hold every later event behind them for ever. Any other refusal (quota exceeded) keeps the row and drops
 * the connection, so the row is sent again after the backoff. A broker that refuses by closing the connection
 * instead has the row found by {@link PoisonRows}. A broker that refuses the gateway's state topic (its
 * state, its Will) gets neither for a while ({@link StateRefusals}), and the events go on.
 */
public final class Uplink implements AutoCloseable {

    /** What the uplink needs from config. */
    public record Settings(String broker, String clientId, String username, Path passwordFile, Path ca, Path cert,
                           Path key, Duration keepAlive, int maxInflight, Duration backoffBase, Duration backoffCap) {
    }

    /**
     * Takes the messages central sends on {@code {prefix}/cmd/{name}}; called on Paho's callback thread,
     * so it must hand the work on and return.
     */
    public interface CommandListener {
        void arrived(String name, MqttMessage message);
    }

    private static final long STATE_REFRESH_MILLIS = 60_000;
    /** How often the pump looks for a broker that stopped acknowledging ({@link AnswerWatch}). */
    private static final long WATCH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long the birth may take to be acknowledged before the events go anyway. */
    private static final long BIRTH_WAIT_MILLIS = 5_000;
    /** How long a lost connection's rows wait to be judged for Paho to say why it ended (it says so at once, or never). */
    private static final long LOSS_TOLD_WAIT_MILLIS = 500;
    /**
     * Rows per outbox read, which runs on this thread and so stops the publishing while it decodes: by the
     * thread's CPU per event, 256 rows from the file cost about as long as a window of 20 takes to empty.
     * With 32 the drain was 8% faster (three alternating pairs, 2026-12-01). A read is still at least a window.
     */
    private static final int READ_BATCH = 32;
    /**
     * Payload bytes read and not yet acknowledged (read ahead or in flight): the uplink reads no more until
     * PUBACKs bring it under. About 2,000 events of the virtual store's mix, far above what a window of 64
     * and a read hold; two of the largest events the outbox takes (about 1 MB), which with a window of 10
     * and reads of 32 had filled the appliance's 64 MB heap.
     */
    private static final long MAX_UNACKED_BYTES = 2L << 20;
    /**
     * The largest packet on this connection. MQTT 5 makes it a bound on what central's broker sends, which is
     * commands of at most 64 KB (Paho would read a larger packet whole into the heap). Paho also holds this
     * gateway's own publishes to it (eclipse-paho/paho.mqtt.java#987), so it passes the largest event with
     * its topic and properties.
     */
    private static final long MAX_PACKET_BYTES = Outbox.MAX_EVENT_BYTES + 64 * 1024;
    /**
     * More than a row's topic and properties take (its topic, and ids, types, source and subject the gateway makes),
     * so a payload this far under the broker's Maximum Packet Size fits without encoding the packet to see.
     */
    private static final int HEADER_ALLOWANCE = 16 * 1024;
    /** The largest PUBLISH packet an event can make: a broker taking less refuses the largest events (149). */
    public static final long LARGEST_EVENT_PACKET = Outbox.MAX_EVENT_BYTES + HEADER_ALLOWANCE;
    /** Refused events kept as files per run; past that they are only counted (events are up to 1 MB each). */
    private static final int MAX_REFUSED_KEPT = 100;

    private final Settings settings;
    private final GatewayIdentity identity;
    private final Outbox outbox;
    private final String version;
    private final Clock clock;
    /** Answers to central's commands its broker refused: the command was carried out, central saw no answer. */
    private final Refusals answersRefused;
    private final Backoff backoff;
    private final Thread thread;
    private final LongAdder published;
    private final LongAdder connects;
    private final LongAdder publishFailures;
    private final LongAdder takenOver;
    private final RefusedEvents refused;
    private final PoisonRows poison = new PoisonRows();
    private final SlowLink slowLink;
    private final DeniedTopics deniedTopics = new DeniedTopics();
    private final SessionTakeovers takeovers = new SessionTakeovers();
    private final OutageLog outageLog = new OutageLog();
    private final StateRefusals stateRefusals;
    /** A state message was sent on this connection and its PUBACK has not come. */
    private volatile boolean stateUnanswered;
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile String lostReason;
    private volatile long disconnectedSinceMillis;
    private volatile int window;
    private volatile double publishRate;
    private volatile MqttAsyncClient client;
    /** The largest packet central's broker takes on this connection (its CONNACK), 0 when it set none. */
    private volatile long brokerMaxPacket;
    /** The broker refused a row for now: the next connection keeps the backoff until a row is acknowledged. */
    private volatile boolean refusedLately;
    /**
     * The connection ended for a reason that is no row's doing (this side dropped it after a refusal for now, a
     * keep-alive timed out, the broker's DISCONNECT named another cause): {@link #poison} is not told.
     */
    private volatile boolean rowsBlameless;
    /** The reason code of the broker's DISCONNECT on this connection, or -1. */
    private volatile int disconnectCode = -1;
    /**
     * Counted down when Paho tells why this connection ended ({@link Callback#disconnected}). Paho fails the publishes
     * in flight first, so the uplink's thread may see the loss before {@link #disconnectCode} and {@link #rowsBlameless}.
     */
    private volatile CountDownLatch lossTold = new CountDownLatch(1);
    /** Why Paho says this connection ended, or null: set before {@link #lossTold} is counted down. */
    private volatile String toldReason;
    /** This connection's keep-alive: the configured one, or longer for a row a slow link could not carry ({@link SlowLink}). */
    private volatile Duration connectionKeepAlive;
    /** Paho ended this connection because its keep-alive went unanswered; set before {@link #rowsBlameless}. */
    private volatile boolean lostToKeepAlive;
    /** Why this side ended this connection, or null. */
    private volatile String sideReason;
    private volatile CommandListener commands;
    private final Semaphore permits = new Semaphore(0);
    /**
     * Rows read from the outbox and not yet published, oldest first; guarded by itself with {@link #readSeq},
     * {@link #publishedSeq}, {@link #purgesSeen} and {@link #unackedBytes}. The uplink's
     * thread fills it; a PUBACK hands its place in the window to the next row here, on Paho's callback
     * thread ({@link #handOn}), so that a message in steady flow costs no wake-up of the uplink's thread.
     */
    private final ArrayDeque<OutboxRow> ahead = new ArrayDeque<>();
    private long readSeq;
    private long publishedSeq;
    private long purgesSeen;
    /**
     * Payload bytes of the rows read ahead and of those in flight on this connection: a late PUBACK of an
     * earlier connection (its client is no longer {@link #client}) does not count.
     */
    private long unackedBytes;
    /** Rows published on this connection and not yet answered by a PUBACK, oldest first; guarded by {@link #ahead}. */
    private final ArrayDeque<OutboxRow> sent = new ArrayDeque<>();
    /** PUBACKs of events on the current connection, under the lock of {@link #ahead}: the pump sees that the broker answers. */
    private long answers;
    private final MqttActionListener replyAnswer = new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            permits.release();
            Refusal refusal = refusal(token);
            if (refusal != null) {
                String what = "on " + String.join(",", token.getTopics()) + ": " + refusal.describe();
                answersRefused.refused(String.valueOf(refusal.code()), what,
                        "Central's broker refused the answer to a command " + what + " (may the gateway publish there?)");
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
            permits.release();
            connectionLost("command-answer publish failed", failure);
        }
    };

    private final MqttActionListener stateAnswer = new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            permits.release();
            stateUnanswered = false;
            Refusal refusal = refusal(token);
            if (refusal == null) {
                stateRefusals.accepted();
            } else if (refusal.forGood()) {
                stateRefusals.refused(refusal, clock.millis());
            } else {
                Logger.warn("Central's broker refused the gateway's state for now: {}", refusal.describe());
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
            permits.release(); // stateUnanswered stays: afterLoss reads it
            connectionLost("state publish failed", failure);
        }
    };

    /** Gives the place back, whatever became of the publish: for one whose caller waits and reads the outcome. */
    private final MqttActionListener releaseAlways = new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            permits.release();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
            permits.release();
        }
    };

    /**
     * @param refusedFolder where events central's broker refused for good are kept ({@link RefusedEvents})
     */
    public Uplink(Settings settings, GatewayIdentity identity, Outbox outbox, String version, Clock clock, Metrics metrics,
                  Path refusedFolder) {
        this.settings = settings;
        this.identity = identity;
        this.outbox = outbox;
        this.version = version;
        this.clock = clock;
        this.backoff = new Backoff(settings.backoffBase(), settings.backoffCap(), ThreadLocalRandom.current());
        this.published = metrics.counter("storegw_uplink_published_total", "Events acknowledged by the broker (PUBACK)");
        this.connects = metrics.counter("storegw_uplink_connects_total", "Successful connections to the broker");
        this.publishFailures = metrics.counter("storegw_uplink_publish_failures_total", "Publishes that failed and will be sent again");
        this.takenOver = metrics.counter("storegw_uplink_taken_over_total",
                "Times the broker handed the gateway's session to another client with its client id (a cloned gateway?)");
        this.answersRefused = new Refusals(clock, "Central's broker refused", "answers to commands");
        this.refused = new RefusedEvents(outbox, new DeadLetters(refusedFolder, clock, MAX_REFUSED_KEPT), metrics, clock);
        this.stateRefusals = new StateRefusals(identity.stateTopic());
        this.slowLink = new SlowLink(settings.keepAlive());
        this.connectionKeepAlive = settings.keepAlive();
        metrics.gauge("storegw_uplink_state_refused", "1 while central's broker refuses the gateway's state or Will (not sent for a while)",
                () -> stateRefusals.problem() == null ? 0 : 1);
        metrics.gauge("storegw_uplink_connected", "1 while connected to the broker", () -> connected ? 1 : 0);
        metrics.gauge("storegw_uplink_inflight", "Events sent and awaiting PUBACK", () -> connected ? window - permits.availablePermits() : 0);
        metrics.gauge("storegw_uplink_keepalive_seconds",
                "The connection's keep-alive: longer than configured while a slow link carries a large event", () -> connectionKeepAlive.toSeconds());
        metrics.gauge("storegw_uplink_window", "In-flight limit: min(maxInflight, broker Receive Maximum)", () -> window);
        metrics.gauge("storegw_uplink_publish_rate", "Events acknowledged per second, over the last few seconds", () -> publishRate);
        this.disconnectedSinceMillis = clock.millis();
        this.thread = new Thread(this::run, "uplink");
    }

    /** Subscribes to central's commands from the next connect on; set before {@link #start()}. */
    public void listen(CommandListener listener) {
        this.commands = listener;
    }

    /**
     * Answers a command on its MQTT 5 response topic with its correlation data, QoS 1, taking a place in
     * the in-flight window like the state message does. Returns false when not connected or the window
     * stayed full: central asks again.
     */
    public boolean reply(String topic, byte[] correlation, byte[] payload) {
        MqttAsyncClient c = client;
        if (c == null || !connected) {
            return false;
        }
        MqttProperties p = new MqttProperties();
        p.setContentType("application/json");
        p.setPayloadFormat(true);
        p.setCorrelationData(correlation);
        try {
            return publishInWindow(c, topic, new MqttMessage(payload, 1, false, p), replyAnswer) != null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (MqttException | RuntimeException e) {
            Logger.warn("Cannot answer a command on {}: {}", topic, Errors.describe(e));
            return false;
        }
    }

    /** Starts connecting and publishing on the uplink's own thread. */
    public void start() {
        thread.start();
    }

    /** Null when connected and alone on its client id; otherwise why not and for how long, and who else uses the id. */
    public String problem() {
        String takenOver = takeovers.problem(clock.millis(), settings.clientId());
        if (connected) {
            return takenOver;
        }
        long seconds = Math.max(0, clock.millis() - disconnectedSinceMillis) / 1000;
        String down = "uplink disconnected for " + seconds + " s" + (lostReason == null ? "" : ": " + lostReason);
        return takenOver == null ? down : down + "\n" + takenOver;
    }

    /** What central's broker refuses on the gateway's state topic (the state, the Will), or null. */
    public String stateProblem() {
        return stateRefusals.problem();
    }

    /** Whether the broker connection is up. */
    public boolean connected() {
        return connected;
    }

    /** Events central's broker refused for good since the start, and the last of them with its time (or null). */
    public Refusals.Tally refused() {
        return refused.tally();
    }

    /**
     * Answers to central's commands its broker refused since the start (the command was carried out; central saw no
     * answer), and the last of them with its time, topic and the broker's reason: usually an ACL that does not let the
     * gateway publish on the response topic central named.
     */
    public Refusals.Tally answersRefused() {
        return answersRefused.tally();
    }

    /**
     * Sends the events kept after central's broker refused them again, oldest first and as they were (the same id
     * and sequence number: central drops a duplicate by id), one at a time, each waiting for its PUBACK. One the
     * broker takes moves to the folder's {@code sent/}; one refused again stays. For a technician, once central's
     * broker is put right ({@code storegw queue resend-refused}). Tries at most {@code max} of them (a page).
     */
    public Resent resendRefused(int max) throws InterruptedException {
        MqttAsyncClient c = client;
        List<Path> kept;
        try {
            kept = refused.kept();
        } catch (IOException e) {
            return new Resent(0, 0, 0, "cannot list the refused events: " + Errors.describe(e));
        }
        if (c == null || !connected) {
            return new Resent(0, 0, kept.size(), problem() == null ? "the uplink is not connected" : problem());
        }
        int sent = 0;
        int refusedAgain = 0;
        String problem = null;
        for (Path file : kept.subList(0, Math.min(max, kept.size()))) {
            try {
                OutboxRow row = keptRow(file);
                MqttMessage message = message(row, identity.source(), outbox.now());
                long size = packetSize(row.topic(), message);
                Refusal refusal = size > 0 ? new Refusal(Refusal.PACKET_TOO_LARGE, "a packet of " + size + " bytes") : sendAndWait(c, row, message);
                if (refusal == null) {
                    refused.sent(file);
                    deniedTopics.accepted(row.topic());
                    sent++;
                } else {
                    refusedAgain++;
                    problem = file.getFileName() + ": refused again: " + refusal.describe();
                }
            } catch (IOException e) {
                refusedAgain++;
                problem = file.getFileName() + ": " + Errors.describe(e);
            } catch (MqttException e) {
                return new Resent(sent, refusedAgain, kept.size() - sent, "stopped at " + file.getFileName() + ": " + Errors.describe(e));
            }
        }
        return new Resent(sent, refusedAgain, kept.size() - sent, problem);
    }

    /**
     * What {@link #resendRefused} did.
     *
     * @param refused tried and not taken (refused again, or unreadable)
     * @param left    still in the folder
     * @param problem the last thing that went wrong, or null
     */
    public record Resent(int sent, int refused, int left, String problem) {
    }

    /** A kept event as a row to send: its topic from its type, as the outbox made it. */
    private OutboxRow keptRow(Path file) throws IOException {
        byte[] payload = Files.readAllBytes(file);
        JsonNode event = CloudEventEncoder.JSON.readTree(payload);
        String type = event.path("type").asText();
        EventType known = EventCatalogue.byCloudEventType(type).orElseThrow(() -> new IOException("not an event type of this gateway: '" + type + "'"));
        long seq;
        try {
            seq = Long.parseLong(event.path("sequence").asText());
        } catch (NumberFormatException e) {
            throw new IOException("no sequence number in it");
        }
        return new OutboxRow(seq, known.eventClass(), event.path("id").asText(), type, event.path("subject").asText(),
                identity.topicOf(known), 0, 0, payload);
    }

    /** Publishes in a place of the window and waits for the PUBACK: the refusal it carries, or null. */
    private Refusal sendAndWait(MqttAsyncClient c, OutboxRow row, MqttMessage message) throws MqttException, InterruptedException {
        if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new MqttException(MqttClientException.REASON_CODE_MAX_INFLIGHT);
        }
        IMqttToken token;
        try {
            token = c.publish(row.topic(), message, null, releaseAlways);
        } catch (MqttException | RuntimeException e) {
            permits.release();
            throw e;
        }
        token.waitForCompletion(TimeUnit.SECONDS.toMillis(30));
        return refusal(token);
    }

    private void run() {
        while (running) {
            MqttAsyncClient c = null;
            Exception failure = null;
            try {
                c = connect();
                if (!refusedLately && !takeovers.lately(clock.millis())) {
                    backoff.reset();
                }
                pump(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (MqttException | IOException | GeneralSecurityException | RuntimeException e) {
                failure = e;
            } finally {
                markDisconnected();
                if (c != null && running) {
                    discard(c);
                    afterLoss();
                }
            }
            if (running) {
                lostReason = c == null ? Failures.ofConnect(failure, settings.broker().startsWith("ssl://")) : lossReason(failure);
                if (c != null) {
                    Logger.warn("Uplink to {} lost: {}", settings.broker(), lostReason);
                } else {
                    String line = outageLog.connectFailed(lostReason, clock.millis());
                    if (line != null) {
                        Logger.warn("Uplink to {}: {}", settings.broker(), line);
                    } else {
                        Logger.debug("Uplink to {}: {}", settings.broker(), lostReason); // said already: OutageLog
                    }
                }
                sleep(backoff.nextDelayMillis());
            }
        }
    }

    /**
     * Why a connection that was made ended. When the connection went first (a keep-alive unanswered, the broker's
     * DISCONNECT), Paho fails what is in flight with "not connected" before it tells why: that is the reason to give.
     */
    private String lossReason(Exception failure) {
        if (toldReason == null && sideReason == null && (failure == null || Failures.consequenceOfLoss(failure))) {
            try {
                lossTold.await(LOSS_TOLD_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String told = toldReason;
        String side = sideReason;
        return told != null ? told : side != null ? side : failure != null ? Failures.of(failure) : "the connection ended";
    }

    /**
     * After a connection ended: if the broker closed it, tells {@link #poison} which row was oldest in flight, and
     * refuses that row for good when it is the one the broker keeps closing the connection on.
     */
    private void afterLoss() {
        if (!rowsBlameless) {
            try {
                lossTold.await(LOSS_TOLD_WAIT_MILLIS, TimeUnit.MILLISECONDS); // none comes when this side dropped the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        OutboxRow oldest;
        boolean alone;
        synchronized (ahead) {
            oldest = sent.peekFirst();
            alone = sent.size() == 1;
            sent.clear();
        }
        if (lostToKeepAlive) {
            Duration stretched = slowLink.keepAliveLost(oldest == null ? 0 : oldest.seq());
            if (stretched != null) {
                Logger.warn("Event {} ({}, {} bytes) was in flight when connections were lost to their keep-alive:"
                        + " the link is too slow to send it within {} s. The next connections use a keep-alive of {} s until it is through",
                        CloudEventEncoder.sequence(oldest.seq()), oldest.type(), oldest.payload().length,
                        connectionKeepAlive.toSeconds(), stretched.toSeconds());
            }
        }
        boolean stateLost = stateUnanswered;
        stateUnanswered = false;
        if (stateLost && !rowsBlameless) {
            if (oldest == null) { // the birth alone in flight
                stateRefusals.lostWithBirthAlone(clock.millis());
                return;
            }
            if (stateRefusals.retrying()) { // the refused state tried again among events: its doing, not theirs
                stateRefusals.refused(new Refusal(Refusal.CLOSED, "the broker closed the connection when it was sent"), clock.millis());
                return;
            }
        }
        if (oldest != null && !rowsBlameless && poison.closedWith(oldest.seq(), alone)) {
            Refusal why = new Refusal(disconnectCode >= Refusal.FIRST_FAILURE ? disconnectCode : Refusal.CLOSED,
                    "the broker closed the connection each time it was sent, also alone");
            refuse(oldest, why);
        }
    }

    private MqttAsyncClient connect() throws MqttException, IOException, GeneralSecurityException {
        MqttAsyncClient c = new MqttAsyncClient(settings.broker(), settings.clientId(), new MemoryPersistence());
        CountDownLatch told = new CountDownLatch(1);
        toldReason = null;
        sideReason = null;
        lossTold = told;
        c.setCallback(new Callback(told));
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setSessionExpiryInterval(0L);
        options.setAutomaticReconnect(false);
        Duration keepAlive = slowLink.keepAlive();
        connectionKeepAlive = keepAlive;
        lostToKeepAlive = false;
        options.setKeepAliveInterval((int) keepAlive.toSeconds());
        options.setConnectionTimeout(10);
        options.setMaximumPacketSize(MAX_PACKET_BYTES);
        if (settings.username() != null) {
            options.setUserName(settings.username());
        }
        if (settings.passwordFile() != null) {
            options.setPassword(Files.readString(settings.passwordFile(), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
        }
        options.setSocketFactory(settings.broker().startsWith("ssl://")
                ? NoDelaySockets.tls(PemTls.socketFactory(settings.ca(), settings.cert(), settings.key()))
                : NoDelaySockets.plain());
        boolean withWill = stateRefusals.withWill(clock.millis());
        if (withWill) {
            MqttMessage will = stateMessage("offline", "connection lost");
            options.setWill(identity.stateTopic(), will);
            options.setWillMessageProperties(will.getProperties());
        }
        client = c;
        rowsBlameless = false;
        disconnectCode = -1;
        stateUnanswered = false;
        Integer receiveMaximum;
        try {
            IMqttToken token = c.connect(options);
            try {
                token.waitForCompletion(TimeUnit.SECONDS.toMillis(Failures.CONNECT_WAIT_SECONDS));
            } catch (MqttException e) {
                stateRefusals.connectRefused(e.getReasonCode(), withWill);
                throw e;
            }
            stateRefusals.connected(withWill, clock.millis());
            MqttProperties connack = token.getResponseProperties();
            receiveMaximum = connack == null ? null : connack.getReceiveMaximum();
            Integer serverKeepAlive = connack == null ? null : connack.getServerKeepAlive();
            if (serverKeepAlive != null) { // MQTT 5: the broker's word overrides ours, and Paho keeps to it
                connectionKeepAlive = Duration.ofSeconds(serverKeepAlive);
            }
            Long maxPacket = connack == null ? null : connack.getMaximumPacketSize();
            brokerMaxPacket = maxPacket == null ? 0 : maxPacket;
            if (commands != null) { // before we count as connected, so a command sent once we are is heard
                c.subscribe(new MqttSubscription(commandTopic("+"), 1)).waitForCompletion(TimeUnit.SECONDS.toMillis(15));
            }
        } catch (MqttException | RuntimeException e) {
            discard(c); // a refused attempt must not leave a client behind: outages retry for hours
            throw e;
        }
        window = poison.window(Math.min(settings.maxInflight(), receiveMaximum == null ? 65_535 : receiveMaximum));
        permits.drainPermits();
        permits.release(window);
        connected = true;
        lostReason = null;
        connects.increment();
        String keepAliveNote = !connectionKeepAlive.equals(keepAlive)
                ? ", keep-alive " + connectionKeepAlive.toSeconds() + " s as the broker sets it (asked " + keepAlive.toSeconds() + " s)"
                : keepAlive.equals(settings.keepAlive()) ? "" : ", keep-alive " + keepAlive.toSeconds() + " s for a slow link";
        Logger.info("Uplink connected to {} (in-flight window {}{}{}{}{})", settings.broker(), window,
                brokerMaxPacket == 0 ? "" : ", packets up to " + brokerMaxPacket + " bytes",
                poison.singleStepping() ? ", one row at a time: the broker closed the connection twice on the same row" : "",
                keepAliveNote, outageLog.connected(clock.millis()));
        return c;
    }

    /**
     * Sends the retained {@code online} state before any event and waits a while for its PUBACK: a broker that closes
     * the connection meanwhile is seen to refuse the state ({@link StateRefusals}), and no event is blamed for it.
     */
    private void sendBirth(MqttAsyncClient c) throws MqttException, InterruptedException {
        IMqttToken token = publishState(c, "online", null);
        if (token != null) {
            try {
                token.waitForCompletion(BIRTH_WAIT_MILLIS);
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_CLIENT_TIMEOUT) {
                    throw e;
                } // a slow PUBACK: the events go on, its listener reads it when it comes
            }
        }
    }

    /** Sends the outbox from its oldest row, keeping the window full, until the connection goes. */
    private void pump(MqttAsyncClient c) throws InterruptedException, MqttException {
        synchronized (ahead) { // a new connection sends everything unacknowledged again, from the oldest
            ahead.clear();
            sent.clear();
            readSeq = 0;
            publishedSeq = 0;
            purgesSeen = outbox.purgeGeneration();
            unackedBytes = 0;
        }
        if (stateRefusals.stateDue(clock.millis())) {
            sendBirth(c);
        }
        long lastState = clock.millis();
        long rateMark = System.nanoTime();
        long rateCount = published.sum();
        AnswerWatch watch = new AnswerWatch(connectionKeepAlive.isZero() ? settings.keepAlive() : connectionKeepAlive); // 0: the broker's, none
        long watchedAt = System.nanoTime();
        while (running && connected) {
            if (permits.tryAcquire(200, TimeUnit.MILLISECONDS) && !publishNext(c)) {
                // Nothing read ahead (the PUBACKs have handed on all of it): read on, outside the lock.
                long after;
                long budget;
                synchronized (ahead) {
                    while (unackedBytes >= MAX_UNACKED_BYTES && running && connected) {
                        ahead.wait(200); // large events in flight: their PUBACKs make room
                        leftSilentBroker(watch); // or never come
                    }
                    after = readSeq;
                    budget = MAX_UNACKED_BYTES - unackedBytes;
                }
                int limit = Math.max(window, READ_BATCH);
                outbox.protectUpTo(after + limit);
                List<OutboxRow> rows = outbox.read(after, limit, Math.max(1, budget));
                synchronized (ahead) {
                    if (after == readSeq && !rows.isEmpty()) { // else a purge reset the cursor meanwhile: read again
                        readSeq = rows.get(rows.size() - 1).seq();
                        for (OutboxRow r : rows) {
                            if (!refused.pending(r.seq())) { // refused, and its removal not yet committed: not again
                                ahead.add(r);
                                unackedBytes += r.payload().length;
                            }
                        }
                    }
                }
                if (!publishNext(c)) {
                    permits.release();
                    if (rows.isEmpty()) {
                        outbox.awaitCommittedAbove(after, 200);
                    }
                }
            }
            long now = System.nanoTime();
            if (now - watchedAt >= WATCH_EVERY_NANOS) { // every PUBACK takes this lock too: not at every turn
                watchedAt = now;
                synchronized (ahead) {
                    if (leftSilentBroker(watch)) {
                        return;
                    }
                }
            }
            if (now - rateMark > TimeUnit.SECONDS.toNanos(5)) {
                long count = published.sum();
                publishRate = (count - rateCount) / ((now - rateMark) / 1e9);
                rateMark = now;
                rateCount = count;
            }
            if (Elapsed.over(lastState, clock.millis(), STATE_REFRESH_MILLIS + 1) && stateRefusals.stateDue(clock.millis())) {
                lastState = clock.millis();
                publishState(c, "online", null);
            }
        }
    }

    /** Under the lock of {@link #ahead}: ends the connection, and says true, when the broker stopped acknowledging. */
    private boolean leftSilentBroker(AnswerWatch watch) {
        String stalled = watch.check(sent.size(), answers, System.nanoTime());
        if (stalled == null) {
            return false;
        }
        rowsBlameless = true; // this side's decision: the rows in flight did not close anything
        connectionLost(stalled);
        return true;
    }

    /**
     * Publishes the next row read ahead in the place its caller holds in the window; false, keeping the
     * place, when there is none. Under the lock, so rows go to Paho in sequence order whichever thread
     * sends them.
     */
    private boolean publishNext(MqttAsyncClient c) throws MqttException {
        synchronized (ahead) {
            if (purgesSeen != outbox.purgeGeneration()) {
                purgesSeen = outbox.purgeGeneration();
                ahead.forEach(r -> unackedBytes -= r.payload().length);
                ahead.clear(); // what was read ahead may be gone now (a revoked consent): read it again
                readSeq = publishedSeq;
            }
            for (OutboxRow row; (row = ahead.poll()) != null; ) {
                publishedSeq = row.seq();
                long now = clock.millis();
                Refusal denied = deniedTopics.check(row.topic(), now);
                if (denied != null) {
                    unackedBytes -= row.payload().length;
                    refused.refused(row, denied); // not refuse(): that would start the topic's 15 minutes again
                    continue;
                }
                MqttMessage message = message(row, identity.source(), outbox.now());
                long size = packetSize(row.topic(), message);
                if (size <= 0) {
                    publish(c, row, message);
                    return true;
                }
                // MQTT 5 forbids sending it, and a broker drops the connection on it: sent again, it would hold every later row
                unackedBytes -= row.payload().length;
                refused.refused(row, new Refusal(Refusal.PACKET_TOO_LARGE,
                        "a packet of " + size + " bytes, and the broker takes at most " + brokerMaxPacket));
            }
            return false;
        }
    }

    /**
     * 0 when the message fits the broker's Maximum Packet Size (or it set none), else the size of its PUBLISH
     * packet. Paho encodes the packet only for payloads near the limit: the topic and properties are small.
     */
    private long packetSize(String topic, MqttMessage message) throws MqttException {
        long max = brokerMaxPacket;
        if (max == 0 || message.getPayload().length + HEADER_ALLOWANCE <= max) {
            return 0;
        }
        MqttPublish packet = new MqttPublish(topic, message, message.getProperties());
        packet.setMessageId(1);
        long size = packet.getHeader().length + (long) packet.getPayload().length;
        return size <= max ? 0 : size;
    }

    /**
     * On a PUBACK of {@code row}, sent by client {@code c}: on the current connection its bytes are free
     * again, and the place it frees goes to the next row, or back to the uplink's thread.
     */
    private void handOn(MqttAsyncClient c, OutboxRow row) {
        try {
            synchronized (ahead) { // one lock per PUBACK: publishNext takes it again, for free
                if (c == client) { // else an earlier connection's: only its place goes back
                    if (sent.peekFirst() == row) { // PUBACKs come in the order of the publishes (MQTT 5, 4.6)
                        sent.pollFirst();
                    } else {
                        sent.remove(row);
                    }
                    answers++;
                    poison.acknowledged(row.seq(), window);
                    slowLink.acknowledged(row.seq());
                    boolean full = unackedBytes >= MAX_UNACKED_BYTES;
                    unackedBytes -= row.payload().length;
                    if (full) {
                        ahead.notifyAll();
                    }
                    if (running && connected && publishNext(c)) {
                        return;
                    }
                }
            }
        } catch (MqttException e) {
            connectionLost("publish failed", e); // publish() gave the place back and counted it
            return;
        } catch (RuntimeException e) {
            permits.release();
            connectionLost("publish failed", e);
            return;
        }
        permits.release();
    }

    /** Under the lock of {@link #ahead}. */
    private void publish(MqttAsyncClient c, OutboxRow row, MqttMessage message) throws MqttException {
        sent.addLast(row);
        try {
            c.publish(row.topic(), message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    Refusal refusal = refusal(token);
                    if (refusal == null) {
                        outbox.acknowledge(row);
                        published.increment();
                        if (refusedLately) {
                            refusedLately = false;
                        }
                    } else if (refusal.forGood()) {
                        refuse(row, refusal);
                    } else {
                        permits.release();
                        publishFailures.increment();
                        refusedLately = true;
                        rowsBlameless = true;
                        connectionLost("central's broker refused event " + CloudEventEncoder.sequence(row.seq()) + " ("
                                + row.type() + ") for now: " + refusal.describe() + "; it is sent again after the backoff");
                        return;
                    }
                    handOn(c, row);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    permits.release();
                    publishFailures.increment();
                    connectionLost("publish failed", failure);
                }
            });
        } catch (MqttException e) {
            sent.removeLast(); // never sent
            permits.release();
            publishFailures.increment();
            throw e;
        }
    }

    /** Central's broker refused the row for good: it goes, and a refusal about its topic holds the topic's next rows back. */
    private void refuse(OutboxRow row, Refusal why) {
        deniedTopics.refused(row.topic(), why, clock.millis());
        refused.refused(row, why);
    }

    /** The refusal a PUBACK carries (Paho completes a publish whatever its reason code), or null. */
    private static Refusal refusal(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        if (codes == null || codes.length == 0 || codes[0] < Refusal.FIRST_FAILURE) {
            return null;
        }
        MqttWireMessage ack = token.getResponse();
        return new Refusal(codes[0], ack == null || ack.getProperties() == null ? null : ack.getProperties().getReasonString());
    }

    /**
     * The MQTT message for one outbox row: QoS 1, the CloudEvents content type, id/type/source/subject as
     * user properties, and the rest of its TTL as the message expiry: a broker holding it for a
     * subscriber that is away drops it when the gateway would have (a pickup arrival after 15 minutes).
     * {@code nowMillis} is on the outbox's time, as the row's expiry is ({@link Outbox#now()}).
     */
    public static MqttMessage message(OutboxRow row, String source, long nowMillis) {
        MqttProperties p = new MqttProperties();
        if (row.expiresMillis() > 0) {
            p.setMessageExpiryInterval(Math.max(1, (row.expiresMillis() - nowMillis + 999) / 1000));
        }
        p.setContentType(CloudEventEncoder.CONTENT_TYPE);
        p.setPayloadFormat(true);
        p.setUserProperties(List.of(new UserProperty("id", row.id()), new UserProperty("type", row.type()),
                new UserProperty("source", source), new UserProperty("subject", row.subject())));
        return new MqttMessage(row.payload(), 1, false, p);
    }

    private MqttMessage stateMessage(String state, String reason) {
        OutboxStats stats = outbox.stats();
        long oldestAge = stats.oldestMillis() == 0 ? 0 : Math.max(0, (clock.millis() - stats.oldestMillis()) / 1000);
        GatewayState body = new GatewayState(state, version, reason, stats.rows(), stats.bytes(), oldestAge,
                clock.instant().toString());
        try {
            MqttProperties p = new MqttProperties();
            p.setContentType("application/json");
            p.setPayloadFormat(true);
            return new MqttMessage(CloudEventEncoder.JSON.writeValueAsBytes(body), 1, true, p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("state message", e);
        }
    }

    /**
     * The state message is a QoS 1 publish like any other, so it takes a place in the window: without
     * one, the birth plus a full window exceeded the broker's Receive Maximum and Paho refused
     * ("Too many publishes in progress"), dropping the connection right after every connect.
     */
    private IMqttToken publishState(MqttAsyncClient c, String state, String reason) throws MqttException, InterruptedException {
        stateUnanswered = true;
        IMqttToken token = publishInWindow(c, identity.stateTopic(), stateMessage(state, reason), stateAnswer);
        if (token == null) {
            stateUnanswered = false; // not sent (a full window): the next refresh says it
        }
        return token;
    }

    /**
     * Publishes a message of the gateway's own (state, a command's answer) in a place of the in-flight
     * window, which {@code answer} gives back; null when not sent (the window stayed full for 5 s).
     */
    private IMqttToken publishInWindow(MqttAsyncClient c, String topic, MqttMessage message, MqttActionListener answer)
            throws MqttException, InterruptedException {
        long size = packetSize(topic, message);
        if (size > 0) {
            Logger.warn("Not sent on {}: a packet of {} bytes, and central's broker takes at most {}", topic, size, brokerMaxPacket);
            return null;
        }
        if (!permits.tryAcquire(5, TimeUnit.SECONDS)) {
            return null;
        }
        try {
            return c.publish(topic, message, null, answer);
        } catch (MqttException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** This side ends the connection; the first reason given is the one told. */
    private void connectionLost(String reason) {
        if (sideReason == null) {
            sideReason = reason;
        }
        markDisconnected();
    }

    /** This side ends the connection on {@code failure}: none of its doing when the connection went first (Paho tells why). */
    private void connectionLost(String what, Throwable failure) {
        if (Failures.consequenceOfLoss(failure)) {
            markDisconnected();
        } else {
            connectionLost(what + ": " + Failures.of(failure));
        }
    }

    /**
     * The one way {@code connected} turns false: the outage starts when it does, whichever thread sees the loss first
     * (Paho's callback, a failed publish, the uplink's loop). Each of them used to clear the flag itself, so the loop,
     * which started the outage's clock only when it still found the flag set, counted it from the gateway's start.
     */
    private void markDisconnected() {
        if (connected) {
            disconnectedSinceMillis = clock.millis(); // before the flag: whoever reads it false reads this too
        }
        connected = false;
    }

    private static void discard(MqttAsyncClient c) {
        try {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1_000, false);
            }
        } catch (MqttException ignored) {
            // Already gone.
        }
        try {
            c.close(true);
        } catch (MqttException ignored) {
            // Nothing left to release.
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String commandTopic(String name) {
        return identity.topicPrefix() + "/cmd/" + name;
    }

    /** Paho's view of the connection. */
    private final class Callback extends MqttCallbackAdapter {
        private final CountDownLatch lossTold;

        Callback(CountDownLatch lossTold) {
            this.lossTold = lossTold;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            String prefix = commandTopic("");
            CommandListener listener = commands;
            if (listener != null && topic.startsWith(prefix) && topic.indexOf('/', prefix.length()) < 0) {
                listener.arrived(topic.substring(prefix.length()), message);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            MqttException cause = response.getException();
            if (cause == null) { // the broker's DISCONNECT
                disconnectCode = response.getReturnCode();
                if (disconnectCode == SessionTakeovers.CODE) {
                    takeovers.takenOver(clock.millis());
                    takenOver.increment();
                    Logger.warn("Central's broker handed this gateway's session to another client with its client id {}", settings.clientId());
                }
                rowsBlameless |= !Refusal.aboutAPacket(disconnectCode);
                String words = response.getReasonString();
                connectionLost("disconnected by the broker" + (words == null ? "" : ": " + words) + " (reason " + response.getReturnCode() + ")");
            } else {
                boolean keepAliveLoss = Failures.lostToKeepAlive(cause);
                if (lossTold == Uplink.this.lossTold) {
                    lostToKeepAlive = keepAliveLoss;
                }
                rowsBlameless |= keepAliveLoss;
                connectionLost(Failures.ofLoss(cause, connectionKeepAlive));
            }
            lossTold.countDown();
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            connectionLost(Errors.describe(exception));
        }

        private void connectionLost(String reason) {
            if (lossTold == Uplink.this.lossTold) { // not a late word on a connection before this one
                toldReason = reason;
            }
            markDisconnected();
        }
    }

    /** Publishes {@code offline} itself (an orderly shutdown sends no Will), then disconnects. */
    @Override
    public void close() {
        running = false;
        MqttAsyncClient c = client;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (c != null) {
            try {
                if (c.isConnected() && permits.tryAcquire(5, TimeUnit.SECONDS)) {
                    if (!stateRefusals.retrying()) {
                        c.publish(identity.stateTopic(), stateMessage("offline", "shutdown")).waitForCompletion(5_000);
                    }
                    c.disconnect(5_000).waitForCompletion(5_000);
                }
            } catch (MqttException e) {
                Logger.warn("Uplink could not say offline on shutdown: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            discard(c);
        }
    }
}
