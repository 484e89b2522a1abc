package io.storegw.gateway.devices;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.config.ConfigLoader;
import io.storegw.gateway.testing.Central;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An Axis-style counter's cumulative totals, polled by the gateway, reach central as per-bucket footfall. */
class HttpCounterEndToEndTest {

    @TempDir
    Path dir;
    volatile long in = 100;
    volatile long out = 90;

    @Test
    void cumulativeTotalsArriveAsFootfall() throws Exception {
        HttpServer camera = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        camera.createContext("/local/tvpc/.api", exchange -> {
            byte[] b = "{\"serial\":\"00408CAC512B\",\"name\":\"Entrance\",\"timestamp\":\"20261123100000\",\"in\":%d,\"out\":%d}"
                    .formatted(in, out).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        camera.start();
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            String yaml = TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 0, 0, "")
                    .replaceAll("(?s)sources:.*?admin:", """
                            sources:
                              httpCounters:
                                enabled: true
                                poll: 1s
                                counters:
                                  - id: entrance
                                    url: http://127.0.0.1:%d/local/tvpc/.api?live-sum.json
                            admin:""".formatted(camera.getAddress().getPort()));
            try (Central central = new Central(broker.uri(), "central-counters");
                 Gateway gw = Gateway.start(ConfigLoader.parse("test.yaml", yaml, dir), Clock.systemUTC())) {
                Await.until(Duration.ofSeconds(30), "the counter online", () -> ofType(central, "device.status").size() == 1);
                in = 107; // seven people in, three out
                out = 93;
                Await.until(Duration.ofSeconds(30), "footfall with the counts", () -> ofType(central, "store.footfall").stream()
                        .mapToLong(e -> e.path("data").path("in").asLong()).sum() == 7);
                assertThat(ofType(central, "store.footfall").stream().mapToLong(e -> e.path("data").path("out").asLong()).sum()).isEqualTo(3);
                assertThat(gw.problem()).isNull();
            }
        } finally {
            camera.stop(0);
        }
    }

    private static List<JsonNode> ofType(Central central, String type) {
        return central.events().values().stream().filter(e -> e.path("type").asText().equals("io.storegw." + type + ".v1")).toList();
    }
}
