package io.storegw.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.gateway.admin.AdminHttpServer.Answer;
import io.storegw.gateway.admin.AdminHttpServer.Route;
import io.storegw.gateway.metrics.Metrics;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A route that waits long (resend-refused waits for PUBACKs) holds up neither the other routes nor its own answer. */
class AdminSocketWaitingRouteTest {

    @TempDir
    Path dir;

    @Test
    void quickRoutesAreAnsweredWhileAWaitingRouteWaitsAndItsAnswerOutlivesTheIdleTimeout() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Route slow = r -> {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
            return Answer.json(Map.of("done", true));
        };
        Map<String, Route> api = Map.of("GET /status", r -> Answer.json(Map.of("ok", true)), "POST /slow", Route.waiting(slow));
        Path socket = dir.resolve("admin.sock");
        ExecutorService clients = Executors.newCachedThreadPool();
        try (AdminHttpServer server = new AdminHttpServer(socket, () -> null, new Metrics(), api, 1)) {
            Future<String> waited = clients.submit(() -> request(socket, "POST", "/slow"));
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("the waiting route started").isTrue();

            // Answered while the waiting route waits: the event loop is free (it ran every route before).
            assertThat(clients.submit(() -> request(socket, "GET", "/status")).get(10, TimeUnit.SECONDS))
                    .startsWith("HTTP/1.1 200").endsWith("{\"ok\":true}\n");
            assertThat(clients.submit(() -> request(socket, "GET", "/healthz")).get(10, TimeUnit.SECONDS))
                    .startsWith("HTTP/1.1 200").endsWith("ok\n");

            // Past the idle timeout (1 s here): the waiting connection is not idle, it is waiting for us.
            Thread.sleep(2_500);
            assertThat(waited).isNotDone();
            release.countDown();
            assertThat(waited.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200").endsWith("{\"done\":true}\n");
        } finally {
            release.countDown();
            clients.shutdownNow();
        }
    }

    @Test
    void anIdleConnectionIsStillClosed() throws Exception {
        Path socket = dir.resolve("admin.sock");
        try (AdminHttpServer server = new AdminHttpServer(socket, () -> null, new Metrics(), Map.of(), 1);
             SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try {
                // No request sent: the server closes the connection, and the read sees the end of the stream.
                Future<Integer> read = reader.submit(() -> channel.read(ByteBuffer.allocate(16)));
                assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
            } finally {
                reader.shutdownNow();
            }
        }
    }

    private static String request(Path socket, String method, String path) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((method + " " + path + " HTTP/1.1\r\nHost: storegw\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                response.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }
}
