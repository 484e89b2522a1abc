package io.storegw.gateway.testing;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.migration.meta.PersistenceType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * HiveMQ Community Edition embedded in this JVM: a complete MQTT 5 broker on 127.0.0.1 only, with
 * file persistence so a stop and start keeps sessions and queued messages, and no usage statistics.
 */
public final class HiveMqBroker implements TestBroker {

    private final int port;
    private final Path dir;
    private final long maxPacketBytes;
    private final PublishInboundInterceptor publishes;
    private final boolean refuseWills;
    private EmbeddedHiveMQ broker;

    public HiveMqBroker(int port, Path dir) {
        this(port, dir, 0, null);
    }

    /**
     * A broker with a Maximum Packet Size (0: HiveMQ's default) that shows every client's publishes to
     * {@code publishes} (null: none), an interceptor that may refuse them with a reason code.
     */
    public HiveMqBroker(int port, Path dir, long maxPacketBytes, PublishInboundInterceptor publishes) {
        this(port, dir, maxPacketBytes, publishes, false);
    }

    private HiveMqBroker(int port, Path dir, long maxPacketBytes, PublishInboundInterceptor publishes, boolean refuseWills) {
        this.port = port;
        this.dir = dir;
        this.maxPacketBytes = maxPacketBytes;
        this.publishes = publishes;
        this.refuseWills = refuseWills;
    }

    /**
     * A broker that refuses a connect with a Will ("not authorized"), as AWS IoT Core does when the policy's
     * iot:Connect has no condition allowing one, and takes one without.
     */
    public static HiveMqBroker refusingWills(int port, Path dir) {
        return new HiveMqBroker(port, dir, 0, null, true);
    }

    /** A broker that refuses as {@code refusing} says, with HiveMQ's means: an interceptor, and its packet size. */
    static HiveMqBroker refusing(int port, Path dir, TestBroker.Refusing refusing) {
        return new HiveMqBroker(port, dir, refusing.maxPacketBytes(), (in, out) -> {
            String topic = in.getPublishPacket().getTopic();
            if (refusing.deniedTopic().endsWith("/") ? topic.startsWith(refusing.deniedTopic()) : topic.equals(refusing.deniedTopic())) {
                out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "the test's policy denies " + refusing.deniedTopic());
            }
        });
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() {
        if (broker != null) {
            return;
        }
        try {
            Path conf = Files.createDirectories(dir.resolve("conf"));
            Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(dir.resolve("extensions"));
            Files.writeString(conf.resolve("config.xml"), """
                    <?xml version="1.0"?>
                    <hivemq>
                      <listeners>
                        <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
                      </listeners>
                      <mqtt>
                        <queued-messages><max-queue-size>10000000</max-queue-size></queued-messages>
                        %s
                      </mqtt>
                      <persistence><mode>file</mode></persistence>
                      <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                    </hivemq>
                    """.formatted(port, maxPacketBytes == 0 ? "" : "<packets><max-packet-size>" + maxPacketBytes + "</max-packet-size></packets>"));
            EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(dir.resolve("data"))
                    .withExtensionsFolder(dir.resolve("extensions"))
                    .withoutLoggingBootstrap();
            if (publishes != null || refuseWills) {
                builder.withEmbeddedExtension(testExtension());
            }
            quickerStartAndStop(dir.resolve("data"));
            EmbeddedHiveMQ b = builder.build();
            b.start().get();
            broker = b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("embedded HiveMQ did not start", e.getCause());
        }
        TestBroker.awaitListening(port, Duration.ofSeconds(20));
    }

    /**
     * HiveMQ's internal settings are static, one set per JVM; these are set before every start so that each broker
     * gets its own. Tests start and stop a broker about a hundred times a run: 64 storage buckets per store (for a
     * server's many cores) cost 0.8 s a start, and the 2 s grace for storage tasks still queued after a stop began
     * cost 2 s a stop (the clients are gone by then, and HiveMQ acknowledges a publish only once it is stored).
     * Together they took a stop from 4.2 s to 2.2 s (Netty's fixed 2 s quiet period is the rest) and a start from
     * 1 s to 0.2 s. Data made with one bucket count is not found with another (a queued message was lost), so the
     * count is kept with the data, and data made before it was (the demo's) keeps HiveMQ's 64.
     */
    private static void quickerStartAndStop(Path data) throws IOException {
        int buckets = buckets(data);
        InternalConfigurations.PERSISTENCE_BUCKET_COUNT.set(buckets);
        InternalConfigurations.PAYLOAD_PERSISTENCE_BUCKET_COUNT.set(buckets);
        InternalConfigurations.PERSISTENCE_SHUTDOWN_GRACE_PERIOD_MSEC.set(200);
        smallerFiles(buckets);
    }

    /**
     * HiveMQ sizes RocksDB's write buffers by the machine's memory (a 32nd of it over the buckets) and RocksDB
     * reserves disk for a write-ahead log as large: on a 24 GB machine a running broker held 1.07 GB of disk for a
     * few kilobytes of messages, and a test that measures the disk's free space saw it come and go with the brokers of
     * the other test JVM. 4 MB a bucket is plenty for a test's messages; retained messages (a constant 32nd, not
     * settable) go to HiveMQ's other store, Xodus, which HiveMQ migrates to on the first start of older data.
     */
    private static void smallerFiles(int buckets) {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        InternalConfigurations.PAYLOAD_PERSISTENCE_MEMTABLE_SIZE_PORTION.set((int) Math.max(32, memory / buckets / (4L << 20)));
        InternalConfigurations.RETAINED_MESSAGE_PERSISTENCE_TYPE.set(PersistenceType.FILE);
    }

    private static int buckets(Path data) throws IOException {
        Path kept = data.resolve("storegw-bucket-count");
        if (Files.exists(kept)) {
            return Integer.parseInt(Files.readString(kept).strip());
        }
        int buckets;
        try (Stream<Path> made = Files.list(data)) {
            buckets = made.findAny().isPresent() ? 64 : 4;
        }
        Files.writeString(kept, buckets + "\n");
        return buckets;
    }

    private EmbeddedExtension testExtension() {
        return EmbeddedExtension.builder().withId("storegw-test-publishes").withName("storegw test publishes").withVersion("1")
                .withAuthor("storegw").withPriority(0).withStartPriority(1000)
                .withExtensionMain(new ExtensionMain() {
                    @Override
                    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
                        if (publishes != null) {
                            Services.initializerRegistry().setClientInitializer((client, context) -> context.addPublishInboundInterceptor(publishes));
                        }
                        if (refuseWills) {
                            SimpleAuthenticator wills = (in, out) -> {
                                if (in.getConnectPacket().getWillPublish().isPresent()) {
                                    out.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "the test's policy allows no Will");
                                } else {
                                    out.authenticateSuccessfully();
                                }
                            };
                            Services.securityRegistry().setAuthenticatorProvider(provider -> wills);
                        }
                    }

                    @Override
                    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
                        // Nothing to release.
                    }
                }).build();
    }

    @Override
    public synchronized void stop() {
        if (broker != null) {
            try {
                broker.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException("embedded HiveMQ did not stop", e.getCause());
            }
            broker = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
