package io.storegw.drivers.pos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storegw.drivers.observation.Observation;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.testing.Await;
import io.storegw.drivers.source.RecordingSink;
import io.storegw.drivers.source.Refused;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosHttpSourceTest {

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final RecordingSink sink = new RecordingSink();
    final List<Observation> taken = sink.taken;
    final Map<String, Integer> refused = sink.refused;
    PosHttpSource source;
    byte[] roqqio;

    @BeforeEach
    void start() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/pos/roqqio_sale_with_customer.xml")) {
            roqqio = in.readAllBytes();
        }
        source = start(null);
    }

    /** Bytes of documents the port takes in at once in these tests: one document of the largest size. */
    static final long IN_PROGRESS = 64 * 1024;

    static final List<TillAuth> AUTH = List.of(new TillAuth.BearerTokens(Map.of("s3cret-till-7", "till-7")),
            new TillAuth.SquareSignature("sq-signature-key-0123".getBytes(StandardCharsets.UTF_8), "https://hooks.example.com/storegw/square"),
            new TillAuth.ShopifySignature("shpss_0123456789abcdef".getBytes(StandardCharsets.UTF_8)));

    PosHttpSource start(PosHttpSource.Tls tls) {
        PosHttpSource s = new PosHttpSource(new PosHttpSource.Settings("127.0.0.1", 0, 64 * 1024, AUTH, dir.resolve("dead-letter"),
                new PosSettings(ZoneId.of("Europe/Berlin"), 64 * 1024, List.of(), "EUR"), tls, IN_PROGRESS), Clock.systemUTC());
        s.start(sink);
        assertThat(s.problem()).isNull();
        return s;
    }

    @AfterEach
    void stop() {
        source.close();
    }

    HttpResponse<String> post(String token, byte[] body) throws Exception {
        return post("/pos/v1/poslog", body, token == null ? new String[0] : new String[] {"Authorization", "Bearer " + token});
    }

    HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] json(String name) throws Exception {
        return PosJsonProfilesTest.resource(name);
    }

    @Test
    void acceptedOnlyOnceDurable() throws Exception {
        sink.durable = new CompletableFuture<>();
        CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return post("s3cret-till-7", roqqio);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until(Duration.ofSeconds(10), "the sale handed over", () -> !taken.isEmpty());
        Thread.sleep(200); // an answer that did not wait for the outbox would come now
        assertThat(answer).as("no answer before the outbox has it").isNotDone();
        assertThat(taken).singleElement().extracting(o -> ((PosTransaction) o).sequenceNumber()).isEqualTo(2L);
        sink.durable.complete(null);
        HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("{\"accepted\":1,\"skipped\":0}\n");
    }

    /** Only the till's silence is timed: a sale whose answer waits longer than the idle timeout is still answered. */
    /** A till port that is taken is the till port's problem, not the gateway's: the rest of it starts and runs. */
    @Test
    void aPortTakenIsAProblemNotAFailedStart() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             PosHttpSource second = new PosHttpSource(new PosHttpSource.Settings("127.0.0.1", taken.getLocalPort(), 64 * 1024, AUTH,
                     dir.resolve("dead-letter"), new PosSettings(ZoneId.of("Europe/Berlin"), 64 * 1024, List.of(), "EUR"), null, IN_PROGRESS),
                     Clock.systemUTC())) {
            second.start(sink);
            assertThat(second.problem()).startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .contains("Address already in use", "until storegw is restarted");
        }
    }

    @Test
    void aSaleWaitingLongerThanTheIdleTimeoutIsAnsweredAndASilentTillIsLeft() throws Exception {
        source.close();
        source = new PosHttpSource(new PosHttpSource.Settings("127.0.0.1", 0, 64 * 1024, AUTH, dir.resolve("dead-letter"),
                new PosSettings(ZoneId.of("Europe/Berlin"), 64 * 1024, List.of(), "EUR"), null, IN_PROGRESS), Clock.systemUTC(), 1);
        source.start(sink);
        sink.durable = new CompletableFuture<>();
        CompletableFuture<HttpResponse<String>> answer = postAsync(roqqio);
        Thread.sleep(2_500); // the outbox is slow: two and a half idle timeouts
        assertThat(answer).as("not cut off while the gateway works on it").isNotDone();
        sink.durable.complete(null);
        assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
        // The same on a kept-alive connection: after the answer the till has a whole idle timeout for its next sale
        // (Netty counts from the last read, 2.5 s before the answer here, and its next look would have closed it).
        sink.durable = new CompletableFuture<>();
        try (java.net.Socket till = new java.net.Socket("127.0.0.1", source.port())) {
            till.setSoTimeout(10_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(till.getInputStream(), StandardCharsets.ISO_8859_1));
            byte[] request = ("POST /pos/v1/poslog HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-till-7\r\nContent-Length: "
                    + roqqio.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            till.getOutputStream().write(request);
            till.getOutputStream().write(roqqio);
            Thread.sleep(2_500);
            sink.durable.complete(null);
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 202 Accepted");
            Thread.sleep(700); // past Netty's next look, within a timeout of the answer
            sink.durable = CompletableFuture.completedFuture(null);
            till.getOutputStream().write(request);
            till.getOutputStream().write(roqqio);
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("HTTP/1.1 ")) {
                // the rest of the first answer
            }
            assertThat(line).as("the next sale on the same connection").isEqualTo("HTTP/1.1 202 Accepted");
        }
        // A till that connects and says nothing is left after the idle timeout.
        try (java.net.Socket silent = new java.net.Socket("127.0.0.1", source.port())) {
            silent.setSoTimeout(10_000);
            long start = System.nanoTime();
            assertThat(silent.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aBugOnTheWayInIsAnsweredNotSilent() throws Exception {
        sink.failing = new IllegalStateException("a bug on the way in");
        HttpResponse<String> r = post("s3cret-till-7", roqqio);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("the gateway failed on this document", "a bug on the way in");
        sink.failing = null;
        assertThat(post("s3cret-till-7", roqqio).statusCode()).as("the port goes on").isEqualTo(202);
    }

    @Test
    void badInputIs400WithTheReasonAndTheBodyKept() throws Exception {
        byte[] hostile = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><POSLog>&e;</POSLog>".getBytes();
        HttpResponse<String> r = post("s3cret-till-7", hostile);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).startsWith("DOCTYPE is not allowed");
        try (var files = Files.list(dir.resolve("dead-letter"))) {
            List<Path> kept = files.sorted().toList();
            assertThat(kept).hasSize(2);
            assertThat(kept.get(0).getFileName().toString()).endsWith("-till-7-1.xml");
            assertThat(Files.readAllBytes(kept.get(0))).isEqualTo(hostile);
            assertThat(Files.readString(kept.get(1))).startsWith("DOCTYPE is not allowed");
        }
        assertThat(taken).isEmpty();
        assertThat(refused).containsEntry("pos-http/malformed", 1);
    }

    @Test
    void unknownTokensTooLargeBodiesAndPushBack() throws Exception {
        assertThat(post(null, roqqio).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = post("guess", roqqio);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"storegw-pos\"");
        assertThat(post("s3cret-till-7", new byte[100 * 1024]).statusCode()).isEqualTo(413);
        sink.durable = CompletableFuture.failedFuture(new IllegalStateException("outbox full: 1048576 bytes of critical events waiting"));
        HttpResponse<String> later = post("s3cret-till-7", roqqio);
        assertThat(later.statusCode()).isEqualTo(503);
        assertThat(later.headers().firstValue("Retry-After")).contains("5");
        assertThat(later.body()).contains("outbox full");
        assertThat(refused).containsEntry("pos-http/unauthorized", 2).containsEntry("pos-http/too-large", 1)
                .containsEntry("pos-http/pushed-back", 1);
        assertThat(sink.refusals).containsExactly(
                "a poslog post from 127.0.0.1 without a till's token or a valid webhook signature answered 401 (storegw tills list)",
                "a poslog post from 127.0.0.1 without a till's token or a valid webhook signature answered 401 (storegw tills list)",
                "a post from 127.0.0.1 of more than sources.pos.maxDocument (65536 bytes) answered 413",
                "till till-7 asked to post again later: outbox full: 1048576 bytes of critical events waiting");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + "/pos/v1/poslog")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<String> elsewhere = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + "/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(404);
    }

    @Test
    void jsonProfilesHaveTheirRoutes() throws Exception {
        HttpResponse<String> generic = post("/pos/v1/json/generic", json("generic-sales.json"), "Authorization", "Bearer s3cret-till-7");
        assertThat(generic.statusCode()).isEqualTo(202);
        assertThat(generic.body()).isEqualTo("{\"accepted\":1,\"skipped\":1}\n");
        assertThat(taken).singleElement().extracting(o -> ((PosTransaction) o).sourceFormat()).isEqualTo("generic");
        HttpResponse<String> unknown = post("/pos/v1/json/clover", json("generic-sales.json"), "Authorization", "Bearer s3cret-till-7");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("{square|shopify|lightspeed|generic}");
        HttpResponse<String> bad = post("/pos/v1/json/shopify", "{\"id\": 1,".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer s3cret-till-7");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).startsWith("not valid JSON");
        try (var files = Files.list(dir.resolve("dead-letter"))) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.endsWith("-till-7-1.shopify.json"));
        }
    }

    /** Signatures computed independently (Python's hmac) over the fixture files; see pos/SOURCES.txt. */
    @Test
    void squareAndShopifyWebhooksRelayedAsIsAreCheckedByTheirSignatures() throws Exception {
        byte[] payment = json("square-payment-updated.json");
        HttpResponse<String> square = post("/pos/v1/json/square", payment,
                "x-square-hmacsha256-signature", "4s6frrtvwXQ2EVV9dqhXt3Im4V+SZoI2JDoZa6eMsik=");
        assertThat(square.statusCode()).isEqualTo(202);
        byte[] order = json("shopify-orders-create.json");
        HttpResponse<String> shopify = post("/pos/v1/json/shopify", order,
                "X-Shopify-Hmac-Sha256", "BI49YjN7TMq3qw9aoI3MUicwa6Jn5XQWPiX0HCHRaWU=");
        assertThat(shopify.statusCode()).isEqualTo(202);
        assertThat(taken).extracting(o -> ((PosTransaction) o).sourceFormat()).containsExactly("square", "shopify");

        byte[] tampered = new String(payment, StandardCharsets.UTF_8).replace("1399", "9999").getBytes(StandardCharsets.UTF_8);
        assertThat(post("/pos/v1/json/square", tampered, "x-square-hmacsha256-signature", "4s6frrtvwXQ2EVV9dqhXt3Im4V+SZoI2JDoZa6eMsik=")
                .statusCode()).isEqualTo(401);
        // a signature is only good on its own vendor's route
        assertThat(post("/pos/v1/json/generic", order, "X-Shopify-Hmac-Sha256", "BI49YjN7TMq3qw9aoI3MUicwa6Jn5XQWPiX0HCHRaWU=")
                .statusCode()).isEqualTo(401);
        assertThat(post("/pos/v1/json/square", payment, "x-square-hmacsha256-signature", "not base64!").statusCode()).isEqualTo(401);
        assertThat(taken).hasSize(2);
        assertThat(refused).containsEntry("pos-http/unauthorized", 3);
    }

    @Test
    void inputTheGatewayCannotProcessIs422AndKept() throws Exception {
        sink.durable = CompletableFuture.failedFuture(new Refused(Refused.Retry.NEVER, "the gateway cannot process this input: boom", null));
        HttpResponse<String> r = post("s3cret-till-7", roqqio);
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("boom");
        assertThat(refused).containsEntry("pos-http/unprocessable", 1);
        try (var files = Files.list(dir.resolve("dead-letter"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".xml"))).singleElement()
                    .satisfies(f -> assertThat(Files.readAllBytes(f)).isEqualTo(roqqio));
        }
    }

    @Test
    void documentsPastThePortsBudgetAreAskedToComeBackLaterBeforeTheirBodiesAreRead() throws Exception {
        byte[] large = padded(roqqio, 40 * 1024); // two do not fit in the 64 KB the port takes in at once
        sink.durable = new CompletableFuture<>(); // held: the first document stays in progress
        CompletableFuture<HttpResponse<String>> first = postAsync(large);
        Await.until(Duration.ofSeconds(10), "the first document handed over", () -> taken.size() == 1);

        HttpResponse<String> busy = post("s3cret-till-7", large);
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("Retry-After")).contains("5");
        assertThat(busy.body()).contains("taking in 40960 bytes of other documents");
        // curl's way with a large body: headers first, the body only after "100 Continue" (the JDK's client hangs on a 503 here).
        try (java.net.Socket curl = new java.net.Socket("127.0.0.1", source.port())) {
            curl.setSoTimeout(10_000);
            curl.getOutputStream().write(("POST /pos/v1/poslog HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-till-7\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + large.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).as("answered from its headers, and the connection closed").startsWith("HTTP/1.1 503 ");
        }
        CompletableFuture<HttpResponse<String>> small = postAsync(roqqio); // fits beside the first
        Await.until(Duration.ofSeconds(10), "the small document handed over", () -> taken.size() == 2);
        assertThat(refused).containsEntry("pos-http/busy", 2);

        sink.durable.complete(null);
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
        assertThat(small.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
        assertThat(post("s3cret-till-7", large).statusCode()).as("answered documents give their bytes back").isEqualTo(202);
    }

    @Test
    void documentsThatNeverArriveWholeGiveTheirBytesBack() throws Exception {
        byte[] large = padded(roqqio, 40 * 1024);
        // A body of unknown length (chunked) holds the largest document's bytes until it is over the limit and answered 413.
        HttpResponse<String> oversized = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + "/pos/v1/poslog"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer s3cret-till-7")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[100 * 1024]))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(post("s3cret-till-7", large).statusCode()).isEqualTo(202);
        // A sale's bytes go back just after its answer is written, so a till that sends at once may find them not
        // back yet (503; CI saw it once): wait for them. Then documents sent to a wrong path: answered 404 without
        // a worker, their bytes back before the answer, so the next is admitted at once.
        Await.until(Duration.ofSeconds(10), "the answered sale's bytes back", () -> status("/pos/v1/nowhere", large) == 404);
        assertThat(post("/pos/v1/nowhere", large, "Authorization", "Bearer s3cret-till-7").statusCode()).isEqualTo(404);
        assertThat(post("s3cret-till-7", large).statusCode()).isEqualTo(202);
        // A till that goes away halfway through its body.
        try (java.net.Socket gone = new java.net.Socket("127.0.0.1", source.port())) {
            gone.getOutputStream().write(("POST /pos/v1/poslog HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-till-7\r\n"
                    + "Content-Length: 50000\r\n\r\n" + "<".repeat(1000)).getBytes(StandardCharsets.US_ASCII));
            gone.getOutputStream().flush();
            Thread.sleep(200);
        }
        Await.until(Duration.ofSeconds(10), "the bytes of the half-sent body back", () -> status(large) == 202);
    }

    /** {@code doc} with whitespace after its root element, to {@code size} bytes: the same document, larger. */
    static byte[] padded(byte[] doc, int size) {
        byte[] out = java.util.Arrays.copyOf(doc, size);
        java.util.Arrays.fill(out, doc.length, size, (byte) ' ');
        return out;
    }

    CompletableFuture<HttpResponse<String>> postAsync(byte[] body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + source.port() + "/pos/v1/poslog"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer s3cret-till-7")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status of a post of {@code body}, or -1 when the connection failed. */
    int status(byte[] body) {
        try {
            return post("s3cret-till-7", body).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The status of a till's post of {@code body} to {@code path}, or -1 when the connection failed. */
    int status(String path, byte[] body) {
        try {
            return post(path, body, "Authorization", "Bearer s3cret-till-7").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** HTTPS with a certificate made here by the JDK's keytool and turned into the PEM files a technician is given. */
    /** Something on the LAN opening connections and keeping them: the newest are closed at once, the tills get in after. */
    @Test
    void connectionsPastThePortsLimitAreClosedAtOnceAndCountedAndTheTillsGetInOnceTheyAreGone() throws Exception {
        int past = 40;
        List<java.net.Socket> flood = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < PosHttpSource.MAX_CONNECTIONS + past; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", source.port());
                s.setSoTimeout(5_000);
                flood.add(s);
            }
            Await.until(Duration.ofSeconds(10), "the connections past the limit refused", () -> refused.getOrDefault("pos-http/connections", 0) == past);
            int closed = 0;
            for (java.net.Socket s : flood.subList(PosHttpSource.MAX_CONNECTIONS, flood.size())) {
                closed += s.getInputStream().read() == -1 ? 1 : 0; // closed by the gateway, not by the read's timeout
            }
            assertThat(closed).isEqualTo(past);
            assertThat(source.problem()).startsWith("refusing connections: " + PosHttpSource.MAX_CONNECTIONS + " are open");
            assertThatThrownBy(() -> post("s3cret-till-7", roqqio)).as("a till while the port is full").isInstanceOf(java.io.IOException.class);
        } finally {
            for (java.net.Socket s : flood) {
                s.close();
            }
        }
        Await.until(Duration.ofSeconds(10), "the flood's connections gone", () -> source.problem() == null);
        sink.durable = CompletableFuture.completedFuture(null);
        assertThat(post("s3cret-till-7", roqqio).statusCode()).isEqualTo(202);
        assertThat(refused).as("the flood and the till that came during it").containsEntry("pos-http/connections", past + 1);
    }

    @Test
    void httpsWhenConfigured() throws Exception {
        Path store = dir.resolve("till-port.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "pos", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0)
                .as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isTrue();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        Certificate cert = ks.getCertificate("pos");
        Path certPem = Files.writeString(dir.resolve("pos.pem"), pem("CERTIFICATE", cert.getEncoded()));
        Path keyPem = Files.writeString(dir.resolve("pos.key"), pem("PRIVATE KEY", ks.getKey("pos", "changeit".toCharArray()).getEncoded()));

        source.close();
        source = start(new PosHttpSource.Tls(certPem, keyPem));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("pos", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + source.port() + "/pos/v1/poslog"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer s3cret-till-7")
                .POST(HttpRequest.BodyPublishers.ofByteArray(roqqio)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(taken).hasSize(1);
        assertThatThrownBy(() -> post("s3cret-till-7", roqqio)).as("plain HTTP to the HTTPS port").isInstanceOf(java.io.IOException.class);
        assertThat(taken).hasSize(1);
    }

    @Test
    void unusableTlsFilesAreAClearError() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("k.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> start(new PosHttpSource.Tls(notAKey, notAKey))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PKCS#8");
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
