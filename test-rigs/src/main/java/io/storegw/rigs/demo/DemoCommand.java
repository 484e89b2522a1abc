package io.storegw.rigs.demo;

import io.storegw.cli.EventLines;
import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.testing.HiveMqBroker;
import io.storegw.gateway.testing.TestBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import io.storegw.gateway.uplink.MqttCallbackAdapter;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code storegw demo}: a virtual store, an embedded broker and central's view, on this machine alone. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a virtual store, an embedded broker and central's view, on this machine alone.",
                "",
                "Starts the gateway on a simulated store with an MQTT broker on loopback and prints what central"
                + " receives, one line per event, until Ctrl-C. Needs no config and no network. The outbox and the"
                + " broker's data are kept in --state-dir, so a second run continues the sequence."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--rate", paramLabel = "N", description = "Observations per second from the virtual store (default: ${DEFAULT-VALUE}).",
            defaultValue = "25")
    double rate;

    @Option(names = "--seconds", paramLabel = "N", description = "Stop after N seconds instead of waiting for Ctrl-C.")
    Integer seconds;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = ".storegw-demo",
            description = "Where the demo keeps its outbox and broker data (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    private final PrintStream out;

    public DemoCommand() {
        this(System.out);
    }

    DemoCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        org.tinylog.configuration.Configuration.set("writer.level", "warn");
        Gateway.routeLibraryLogs(); // after the line above: it fixes tinylog's configuration
        String yaml = demoYaml()
                .replaceFirst("(?m)^stateDir:.*$", "stateDir: " + stateDir.toAbsolutePath())
                .replaceFirst("(?m)^    rate:.*$", "    rate: " + rate);
        int port = portOr(1883);
        TestBroker broker = new HiveMqBroker(port, stateDir.resolve("broker"));
        out.println("storegw demo: starting an MQTT broker on 127.0.0.1:" + port + " ...");
        broker.start();
        GatewayConfig config = ConfigLoader.parse("demo.yaml", yaml, stateDir).withBroker(broker.uri());
        MqttAsyncClient central = centralView(broker.uri(), config);
        Gateway gateway = Gateway.start(config, Clock.systemUTC());
        out.printf("storegw demo: gateway %s/%s/%s running on a virtual store (%s observations/s); state in %s%n",
                config.tenant(), config.store(), config.gateway(), rate, stateDir.toAbsolutePath());
        out.printf("storegw demo: health at http://127.0.0.1:%d/healthz, metrics at /metrics. Ctrl-C stops.%n", gateway.adminPort());
        out.printf("storegw demo: in another terminal, the technician's view: ./storegw status --socket %s%n"
                + "              (also queue stats, events tail, zones list, tills list: each takes --socket)%n%n", config.admin().socket());
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            shutdown(gateway, central, broker);
            stop.countDown();
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (seconds != null) {
            if (!stop.await(seconds, TimeUnit.SECONDS)) {
                Runtime.getRuntime().removeShutdownHook(hook);
                shutdown(gateway, central, broker);
            }
        } else {
            stop.await();
        }
        return 0;
    }

    private void shutdown(Gateway gateway, MqttAsyncClient central, TestBroker broker) {
        gateway.close();
        try {
            Thread.sleep(300); // let the offline state reach the view
            central.disconnect().waitForCompletion(2_000);
            central.close();
        } catch (MqttException | InterruptedException e) {
            // Shutting down anyway.
        }
        broker.close();
        out.println("storegw demo: stopped.");
    }

    private MqttAsyncClient centralView(String uri, GatewayConfig config) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, "demo-central", new MemoryPersistence());
        client.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) throws IOException {
                JsonNode body = CloudEventEncoder.JSON.readTree(message.getPayload());
                out.println(topic.endsWith("/state") ? EventLines.state(body) : EventLines.line(body));
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options).waitForCompletion(10_000);
        client.subscribe("storegw/v1/" + config.tenant() + "/#", 1).waitForCompletion(10_000);
        return client;
    }

    private static String demoYaml() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo.yaml")) {
            if (in == null) {
                throw new IOException("demo.yaml is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int portOr(int preferred) {
        try (ServerSocket s = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return preferred;
        } catch (IOException busy) {
            return TestBroker.freePort();
        }
    }
}
