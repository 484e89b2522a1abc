package io.storegw.gateway.testing;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

/**
 * HiveMQ Community Edition embedded in this JVM: a complete MQTT 5 broker on 127.0.0.1 only, with
 * file persistence so a stop and start keeps sessions and queued messages, and no usage statistics.
 */
public final class HiveMqBroker implements TestBroker {

    private final int port;
    private final Path dir;
    private EmbeddedHiveMQ broker;

    public HiveMqBroker(int port, Path dir) {
        this.port = port;
        this.dir = dir;
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
                      </mqtt>
                      <persistence><mode>file</mode></persistence>
                      <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                    </hivemq>
                    """.formatted(port));
            EmbeddedHiveMQ b = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(dir.resolve("data"))
                    .withExtensionsFolder(dir.resolve("extensions"))
                    .withoutLoggingBootstrap()
                    .build();
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
