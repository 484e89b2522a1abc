package io.storegw.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.testing.AdminClient;
import io.storegw.gateway.testing.SteppedClock;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import io.storegw.gateway.metrics.Metrics;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

class AdminHttpTest {

    @TempDir
    Path dir;

    @Test
    void healthAndMetricsFollowTheUplink() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            SteppedClock clock = new SteppedClock();
            try (Gateway gw = Gateway.start(TestConfigs.config(dir.resolve("gw"), broker.uri(), 500, 0, ""), clock)) {
                AdminClient admin = new AdminClient(gw.adminPort());
                Await.until(Duration.ofSeconds(30), "healthy", () -> gw.problem() == null);
                HttpResponse<String> health = admin.get("/healthz");
                assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
                assertThat(health.body()).isEqualTo("ok\n");

                HttpResponse<String> metrics = admin.get("/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
                assertThat(metrics.body()).contains(
                        "# TYPE storegw_core_observations_total counter", "storegw_outbox_rows ", "storegw_outbox_bytes ",
                        "storegw_outbox_oldest_age_seconds ", "storegw_uplink_publish_rate ", "storegw_uplink_connects_total 1",
                        "storegw_uplink_connected 1");
                Await.until(Duration.ofSeconds(10), "events published",
                        () -> admin.metric("storegw_uplink_published_total").orElse(0) > 0);
                // the first status asked has the gateway's time behind it (rates were sampled only when asked: always 0)
                assertThat(gw.status().rates().eventsCommitted()).isPositive();

                // An hour connected (as the clock has it) does not count as an hour disconnected: the outage counted from
                // the start of the gateway, as every loss cleared the flag the outage's start was decided by.
                clock.step(Duration.ofHours(1));
                broker.stop();
                Await.until(Duration.ofSeconds(30), "unhealthy", () -> gw.problem() != null);
                HttpResponse<String> down = admin.get("/healthz");
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).startsWith("uplink disconnected for ");
                assertThat(Long.parseLong(down.body().replaceFirst("uplink disconnected for (\\d+) s(?s).*", "$1"))).isLessThan(60);
                assertThat(admin.metric("storegw_uplink_connected")).hasValue(0);

                assertThat(admin.get("/nope").statusCode()).isEqualTo(404);
            }
        }
    }

    /** An admin port another program holds: the start fails naming the address and the setting, and leaves no thread behind. */
    /**
     * {@code /metrics} as Prometheus' own linter reads it ({@code promtool check metrics}): the format, the names and the
     * help, with labelled series from refused input and a disconnect among them. CI installs promtool and sets
     * {@code storegw.test.promtool}; the exposition is written by hand ({@link Metrics}), so the reference tool checks it.
     */
    @Test
    @EnabledIfSystemProperty(named = "storegw.test.promtool", matches = "true")
    void metricsPassPrometheusLinter() throws Exception {
        int tillPort = TestBroker.freePort();
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            String yaml = TestConfigs.yaml(dir.resolve("gw"), broker.uri(), 500, 0, "").replace("sources:\n",
                    "sources:\n" + TestConfigs.posHttp(tillPort, TestConfigs.tillTokens(dir.resolve("tokens"), 1)));
            try (Gateway gw = Gateway.start(io.storegw.gateway.config.ConfigLoader.parse("test.yaml", yaml, dir), new SteppedClock())) {
                AdminClient admin = new AdminClient(gw.adminPort());
                Await.until(Duration.ofSeconds(30), "events published", () -> admin.metric("storegw_uplink_published_total").orElse(0) > 0);
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                for (String token : List.of(TestConfigs.tillToken(1), "not-a-till")) {
                    http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + tillPort + "/pos/v1/poslog"))
                            .header("Authorization", "Bearer " + token).POST(java.net.http.HttpRequest.BodyPublishers.ofString("<POSLog><Tra"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                }
                broker.stop();
                Await.until(Duration.ofSeconds(30), "disconnected", () -> admin.metric("storegw_uplink_connected").orElse(1) == 0);
                String body = admin.get("/metrics").body();
                assertThat(body).contains("storegw_bad_input_total{source=\"pos-http\",reason=\"malformed\"} 1",
                        "storegw_bad_input_total{source=\"pos-http\",reason=\"unauthorized\"} 1");

                Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
                try (var in = promtool.getOutputStream()) {
                    in.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                String said = new String(promtool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(promtool.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(said).as("promtool on:%n%s", body).isEmpty();
                assertThat(promtool.exitValue()).isZero();
            }
        }
    }

    @Test
    void anAdminPortTakenNamesItsAddress() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            long loops = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("admin-http")).count();
            assertThatThrownBy(() -> new AdminHttpServer("127.0.0.1", taken.getLocalPort(), () -> null, new Metrics()))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " for /healthz and /metrics (admin.http): ")
                    .hasMessageContaining("Address already in use");
            Await.until(Duration.ofSeconds(10), "the event loop stopped", () -> Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("admin-http") && t.isAlive()).count() <= loops);
        }
    }

    /** A LAN flood on the admin port (put there for a scraper): the connections past the limit are closed at once and counted. */
    @Test
    void connectionsPastTheAdminPortsLimitAreClosedAtOnceAndCounted() throws Exception {
        Metrics metrics = new Metrics();
        int past = 10;
        List<Socket> flood = new ArrayList<>();
        try (AdminHttpServer server = new AdminHttpServer("127.0.0.1", 0, () -> null, metrics)) {
            try {
                for (int i = 0; i < AdminHttpServer.MAX_CONNECTIONS + past; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    s.setSoTimeout(5_000);
                    flood.add(s);
                }
                Await.until(Duration.ofSeconds(10), "the connections past the limit refused",
                        () -> metrics.count("storegw_admin_refused_connections_total") == past);
                int closed = 0;
                for (Socket s : flood.subList(AdminHttpServer.MAX_CONNECTIONS, flood.size())) {
                    closed += s.getInputStream().read() == -1 ? 1 : 0; // closed by the server, not by the read's timeout
                }
                assertThat(closed).isEqualTo(past);
            } finally {
                for (Socket s : flood) {
                    s.close();
                }
            }
            AdminClient admin = new AdminClient(server.port());
            Await.until(Duration.ofSeconds(10), "a scrape answered once the flood is gone", () -> {
                try {
                    return admin.get("/healthz").statusCode() == 200;
                } catch (java.io.IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
        }
    }
}
