package io.storegw.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.Gateway;
import io.storegw.gateway.testing.AdminClient;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminHttpTest {

    @TempDir
    Path dir;

    @Test
    void healthAndMetricsFollowTheUplink() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            try (Gateway gw = Gateway.start(TestConfigs.config(dir.resolve("gw"), broker.uri(), 500, 0, ""), Clock.systemUTC())) {
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

                broker.stop();
                Await.until(Duration.ofSeconds(30), "unhealthy", () -> gw.problem() != null);
                HttpResponse<String> down = admin.get("/healthz");
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).startsWith("uplink disconnected for ");
                assertThat(admin.metric("storegw_uplink_connected")).hasValue(0);

                assertThat(admin.get("/nope").statusCode()).isEqualTo(404);
            }
        }
    }
}
