package io.storegw.drivers.localmqtt;

import io.storegw.drivers.Errors;
import io.storegw.drivers.ble.identity.IdentityResolver;
import io.storegw.drivers.observation.DeviceStatus;
import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.source.DeadLetters;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.source.SourceThread;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;

/**
 * The store's own MQTT broker, as a source: ESPresense nodes, OpenMQTTGateway / Theengs gateways and
 * the store's devices described in config publish there; their messages become observations, and the
 * devices' comings and goings become {@code DeviceStatus}. A message that is not what its topic
 * promises is counted ({@code local-mqtt}, by reason), kept in the dead-letter folder, and skipped.
 */
public final class LocalMqttSource implements ObservationSource {

    /**
     * @param espresensePrefix the ESPresense root topic ({@code espresense}), or null to ignore ESPresense
     * @param btToMqttRoot     the OpenMQTTGateway / Theengs root topic ({@code home}), or null to ignore them
     * @param devices          the store's own devices, tried before the built-in readers
     * @param offlineAfter     silence after which a device is reported offline
     */
    public record Settings(String broker, String clientId, String username, Path passwordFile, String espresensePrefix,
                           String btToMqttRoot, List<DeviceMapping> devices, Duration offlineAfter, Path deadLetter) {
        public Settings {
            devices = List.copyOf(devices);
        }
    }

    static final String NAME = "local-mqtt";
    private static final long MAX_DEAD_LETTERS = 1_000;
    /** The largest MQTT packet the store's broker may send: device messages are a few KB, a JSON string at most 64 KB. */
    private static final long MAX_PACKET_BYTES = 256 * 1024;
    private static final Duration RETRY_CAP = Duration.ofSeconds(30);
    /** How a dead letter says that a reader threw on it, rather than refused it. */
    static final String READER_FAILED = "the gateway's reader failed on this message";

    private final Settings settings;
    private final Clock clock;
    private final List<TopicReader> readers = new ArrayList<>();
    private final Liveness liveness;
    /** Where the source counts what happens to it: set when it starts. */
    private volatile ObservationSink sink;
    private final DeadLetters deadLetters;
    private volatile MqttAsyncClient client;
    private volatile SourceThread thread;
    private volatile String problem = "not connected yet";

    /** @param staffByIrk staff id by IRK (32 hex digits), for ESPresense's {@code irk:} ids */
    public LocalMqttSource(Settings settings, IdentityResolver identities, Map<String, String> staffByIrk, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        settings.devices().forEach(d -> readers.add(new MappedDeviceReader(d)));
        if (settings.espresensePrefix() != null) {
            readers.add(new EspresenseReader(settings.espresensePrefix(), identities, staffByIrk));
        }
        if (settings.btToMqttRoot() != null) {
            readers.add(new BtToMqttReader(settings.btToMqttRoot(), identities));
        }
        this.liveness = new Liveness(settings.offlineAfter(), () -> {
            ObservationSink counting = sink;
            if (counting != null) {
                counting.counted(NAME, "device-not-followed");
            }
        });
        this.deadLetters = new DeadLetters(settings.deadLetter(), clock, MAX_DEAD_LETTERS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public void start(ObservationSink sink) {
        this.sink = sink;
        thread = SourceThread.start("source-local-mqtt", () -> run(sink));
    }

    /** Connects (retrying with backoff until the broker is there; Paho reconnects after that), then sweeps for silent devices. */
    private void run(ObservationSink sink) throws InterruptedException {
        Duration wait = Duration.ofSeconds(1);
        while (!connect(sink)) {
            Thread.sleep(wait.toMillis());
            wait = wait.multipliedBy(2).compareTo(RETRY_CAP) > 0 ? RETRY_CAP : wait.multipliedBy(2);
        }
        long sweepMillis = Math.max(1_000, settings.offlineAfter().toMillis() / 4);
        while (!Thread.currentThread().isInterrupted()) {
            Thread.sleep(sweepMillis);
            List<DeviceStatus> gone;
            synchronized (liveness) {
                gone = liveness.sweep(clock.instant());
            }
            for (DeviceStatus s : gone) {
                sink.accept(s);
            }
        }
    }

    private boolean connect(ObservationSink sink) {
        MqttAsyncClient c = null;
        try {
            c = new MqttAsyncClient(settings.broker(), settings.clientId(), new MemoryPersistence());
            c.setCallback(new Callback(sink, c));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            PahoReconnect.capped(options, RETRY_CAP);
            options.setKeepAliveInterval(30);
            // Paho reads a whole packet into one array before anyone can look at its size: a retained 80 MB message
            // ran the appliance's heap out at every start. MQTT 5 has the broker drop what is over this instead.
            // (Paho also holds this client's own publishes to it, paho.mqtt.java#987; this client publishes nothing.)
            options.setMaximumPacketSize(MAX_PACKET_BYTES);
            if (settings.username() != null) {
                options.setUserName(settings.username());
            }
            if (settings.passwordFile() != null) {
                options.setPassword(Files.readString(settings.passwordFile(), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
            }
            c.connect(options).waitForCompletion(TimeUnit.SECONDS.toMillis(10));
            client = c;
            return true;
        } catch (MqttException | IOException e) {
            problem = "cannot reach the store's broker " + settings.broker() + ": " + Errors.describe(e)
                    + (e instanceof MqttException m && (m.getReasonCode() == 0x86 || m.getReasonCode() == 0x87)
                    ? " (check sources.localMqtt.username and the password in its passwordFile against the store broker's)" : "");
            if (c != null) {
                try {
                    c.close(true);
                } catch (MqttException ignored) {
                    // a client that never connected has nothing to release that matters
                }
            }
            return false;
        }
    }

    /** Subscribes on every (re)connect, and reads what arrives. */
    private final class Callback implements MqttCallback {
        private final ObservationSink sink;
        private final MqttAsyncClient c;

        Callback(ObservationSink sink, MqttAsyncClient c) {
            this.sink = sink;
            this.c = c;
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            try {
                MqttSubscription[] subscriptions = readers.stream().map(r -> new MqttSubscription(r.filter(), 0))
                        .toArray(MqttSubscription[]::new);
                c.subscribe(subscriptions).waitForCompletion(TimeUnit.SECONDS.toMillis(10));
                problem = null;
            } catch (MqttException e) {
                problem = "cannot subscribe on " + serverURI + ": " + Errors.describe(e);
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
            onMessage(topic, message.getPayload(), sink);
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            problem = "disconnected from the store's broker " + settings.broker() + ": " + why(response);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            problem = "store's broker: " + exception.getMessage();
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    /**
     * What the broker's DISCONNECT said, or the client's failure: a broker need not give a reason string (Mosquitto gives
     * none), and "null" told the technician nothing. 142 is the one seen in the field: two gateways with one identity.
     */
    static String why(MqttDisconnectResponse response) {
        if (response.getReasonString() != null) {
            return response.getReasonString();
        }
        if (response.getException() != null) {
            return response.getException().getMessage() != null ? response.getException().getMessage()
                    : response.getException().getClass().getSimpleName();
        }
        return response.getReturnCode() == 0x8E
                ? "session taken over (142): another client connected with this one's client id, a second gateway with the same identity?"
                : "reason code " + response.getReturnCode();
    }

    /** One message: the first reader whose filter matches reads it. Package-private so tests can feed it directly. */
    void onMessage(String topic, byte[] payload, ObservationSink sink) throws InterruptedException {
        Instant at = clock.instant();
        for (TopicReader reader : readers) {
            if (!MqttTopicValidator.isMatched(reader.filter(), topic)) {
                continue;
            }
            List<Observation> observations;
            try {
                observations = reader.read(topic, payload, at);
            } catch (BadMessage e) {
                refused(sink, reader, topic, e.reason(), e.getMessage());
                keep(topic, payload, e.getMessage());
                return;
            } catch (RuntimeException e) {
                // A reader with a bug this message found: refused like a malformed one, kept, and named. Out of Paho's
                // messageArrived it ended the connection (and a retained one would end every next connection).
                refused(sink, reader, topic, "malformed", READER_FAILED + " (" + e.getClass().getSimpleName() + ")");
                keep(topic, payload, READER_FAILED + " (" + e + "); please report it with the message");
                return;
            }
            List<Observation> out = new ArrayList<>(observations.size() + 1);
            String device = reader.deviceOf(topic);
            synchronized (liveness) {
                for (Observation o : observations) {
                    if (o instanceof DeviceStatus said) {
                        DeviceStatus change = liveness.said(said);
                        if (change != null) {
                            out.add(change);
                        }
                    } else {
                        out.add(o);
                    }
                }
                boolean statusMessage = observations.stream().anyMatch(o -> o instanceof DeviceStatus);
                if (device != null && !statusMessage) {
                    DeviceStatus back = liveness.heard(device, at);
                    if (back != null) {
                        out.add(0, back);
                    }
                }
            }
            for (Observation o : out) {
                sink.accept(o);
            }
            return;
        }
    }

    /** Counts a refused message, told by its topic, or by its reader's filter alone where the topic may name a shopper's device. */
    private void refused(ObservationSink sink, TopicReader reader, String topic, String reason, String why) {
        sink.refused(NAME, reason, (reader.mayNameShoppers() ? "a message on " + reader.filter()
                : "topic " + topic + ": " + why) + ", kept in " + deadLetters.folder());
    }

    private void keep(String topic, byte[] payload, String reason) {
        try {
            deadLetters.keep(topic.replace('/', '_'), ".msg", payload, "topic " + topic + ": " + reason);
        } catch (IOException e) {
            problem = "cannot write to the dead-letter folder " + deadLetters.folder() + ": " + Errors.describe(e);
        }
    }

    @Override
    public void close() {
        SourceThread t = thread;
        if (t != null) {
            t.stop();
        }
        MqttAsyncClient c = client;
        if (c != null) {
            try {
                c.disconnect().waitForCompletion(2_000);
            } catch (MqttException ignored) {
                // going away regardless
            }
            try {
                c.close();
            } catch (MqttException ignored) {
                // going away regardless
            }
        }
    }
}
