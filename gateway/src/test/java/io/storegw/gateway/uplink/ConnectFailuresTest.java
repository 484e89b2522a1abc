package io.storegw.gateway.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import io.storegw.drivers.testing.Await;
import io.storegw.gateway.event.EventIds;
import io.storegw.gateway.metrics.Metrics;
import io.storegw.gateway.outbox.Outbox;
import io.storegw.gateway.testing.TestBroker;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the uplink says when it cannot connect, against the real failures: a name the resolver does not know, and a
 * real TLS server (the JDK's, certificates made by the JDK's keytool) whose certificate this gateway must refuse.
 */
class ConnectFailuresTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path pki;
    @TempDir
    Path dir;
    final Clock clock = Clock.systemUTC();
    final Metrics metrics = new Metrics();

    @Test
    void aNameTheResolverDoesNotKnowIsSaidToBeDns() throws Exception {
        assertThat(problemConnectingTo("tcp://no-such-broker.invalid:1883", null))
                .contains("cannot resolve the broker's name (no-such-broker.invalid)", "DNS");
    }

    @Test
    void aCertificateNotValidYetPointsAtTheClock() throws Exception {
        assertThat(problemWithServerCertificate("+1d", 30, true)).contains("not valid yet by this gateway's clock", "NotBefore", "clock");
    }

    @Test
    void anExpiredCertificateIsSaidToBe() throws Exception {
        assertThat(problemWithServerCertificate("-60d", 30, true)).contains("has expired", "NotAfter");
    }

    @Test
    void aCertificateFromAnotherCaIsSaidToBe() throws Exception {
        assertThat(problemWithServerCertificate("-1d", 30, false)).contains("not signed by the CA in uplink.tls.ca");
    }

    /** ssl:// to the broker's plain MQTT port, a slip of one letter or one port number: Paho said "Untranslated MqttException". */
    @Test
    void tlsToAPlainMqttPortIsSaidToBeThat() throws Exception {
        try (TestBroker broker = TestBroker.create(dir.resolve("broker"))) {
            broker.start();
            String problem = problemConnectingTo("ssl://127.0.0.1:" + broker.port(), pki.resolve("ca.pem"));
            assertThat(problem).contains("the broker's port does not answer in TLS (", "): is it a plain MQTT port? ssl:// needs the broker's"
                    + " TLS port (usually 8883; plain MQTT is usually 1883)").doesNotContain("Untranslated");
        }
    }

    /** And the other way round, tcp:// to a TLS port: Paho said "Malformed Packet" (the TLS alert read as MQTT). */
    @Test
    void plainMqttToATlsPortIsSaidToBeThat() throws Exception {
        try (TlsServer tls = new TlsServer(serverKeys("-1d", 30))) {
            assertThat(problemConnectingTo("tcp://127.0.0.1:" + tls.port(), null)).contains("the broker's answer is not MQTT (Malformed Packet):"
                    + " is it the broker's TLS port? tcp:// needs its plain MQTT port (usually 1883)");
        }
    }

    /**
     * The CAs and the server's key, made once for the class: each keytool run is a JVM start, and making all of it
     * for each test took 27 of them.
     */
    @BeforeAll
    static void keys() throws Exception {
        keytool(pki, "-genkeypair", "-keystore", "ca.p12", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=test ca", "-ext", "bc:c");
        keytool(pki, "-exportcert", "-rfc", "-keystore", "ca.p12", "-alias", "ca", "-file", "ca.pem");
        keytool(pki, "-genkeypair", "-keystore", "other.p12", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=other ca", "-ext", "bc:c");
        keytool(pki, "-exportcert", "-rfc", "-keystore", "other.p12", "-alias", "ca", "-file", "other.pem");
        keytool(pki, "-genkeypair", "-keystore", "server.p12", "-alias", "server", "-keyalg", "EC", "-dname", "CN=127.0.0.1");
        keytool(pki, "-certreq", "-keystore", "server.p12", "-alias", "server", "-file", "server.csr");
    }

    /** The uplink's problem when it connects over TLS to a server whose certificate starts at {@code start} (keytool's form). */
    private String problemWithServerCertificate(String start, int days, boolean trusted) throws Exception {
        try (TlsServer tls = new TlsServer(serverKeys(start, days))) {
            return problemConnectingTo("ssl://127.0.0.1:" + tls.port(), pki.resolve(trusted ? "ca.pem" : "other.pem"));
        }
    }

    /** The server's key and a certificate from the test CA that starts at {@code start} (keytool's form). */
    private static KeyStore serverKeys(String start, int days) throws Exception {
        keytool(pki, "-gencert", "-keystore", "ca.p12", "-alias", "ca", "-infile", "server.csr", "-outfile", "server-" + start + ".pem",
                "-startdate", start, "-validity", String.valueOf(days), "-ext", "san=ip:127.0.0.1");
        KeyStore made = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.resolve("server.p12"))) {
            made.load(in, PASSWORD.toCharArray());
        }
        KeyStore server = KeyStore.getInstance("PKCS12");
        server.load(null, null);
        server.setKeyEntry("server", made.getKey("server", PASSWORD.toCharArray()), PASSWORD.toCharArray(),
                new Certificate[] {certificate(pki.resolve("server-" + start + ".pem")), certificate(pki.resolve("ca.pem"))});
        return server;
    }

    private static Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private String problemConnectingTo(String broker, Path ca) throws Exception {
        Outbox outbox = UplinkRig.outbox(dir, clock, new EventIds(clock), metrics);
        Uplink uplink = new Uplink(new Uplink.Settings(broker, "gw1", null, null, ca, null, null, Duration.ofSeconds(30), 20,
                Duration.ofMillis(100), Duration.ofSeconds(1)), UplinkRig.ID, outbox, "test", clock, metrics, dir.resolve("refused"));
        try {
            uplink.start();
            Await.until(Duration.ofSeconds(30), "a failed connect told", () -> String.valueOf(uplink.problem()).contains(": "));
            assertThat(uplink.connected()).isFalse();
            return uplink.problem();
        } finally {
            uplink.close();
            outbox.close();
        }
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-storepass", PASSWORD, "-storetype", "PKCS12"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", args[0], out).isZero();
    }

    /** A TLS server on 127.0.0.1 that handshakes with whoever connects, and nothing more. */
    private static final class TlsServer implements AutoCloseable {
        private final SSLServerSocket socket;

        TlsServer(KeyStore ks) throws Exception {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serve, "tls-server");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (SSLSocket s = (SSLSocket) socket.accept()) {
                    s.setSoTimeout(5_000);
                    s.startHandshake();
                } catch (IOException e) {
                    // The client refused the certificate, as it should; or the server closed.
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
