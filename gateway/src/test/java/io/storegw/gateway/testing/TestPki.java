package io.storegw.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made with openssl in {@code dir}: a CA ({@code ca.pem}), a server
 * certificate for 127.0.0.1 and localhost ({@code server.pem/.key}) and a client certificate
 * ({@code client.pem/.key}, CN gw1), all valid for two days; a Mosquitto password file for user gw1
 * with password {@code s3cret} ({@code passwords}), and that password in {@code mqtt.password}.
 */
public final class TestPki {

    private TestPki() {
    }

    public static void make(Path dir) throws Exception {
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=storegw test CA");
        for (String who : new String[] {"server", "client"}) {
            openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", who + ".key");
            openssl(dir, "req", "-new", "-key", who + ".key", "-out", who + ".csr", "-subj", "/CN=" + (who.equals("server") ? "localhost" : "gw1"));
            openssl(dir, "x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", who + ".pem",
                    "-days", "2", "-extfile", "san.ext");
        }
        Process passwd = new ProcessBuilder("mosquitto_passwd", "-b", "-c", dir.resolve("passwords").toString(), "gw1", "s3cret")
                .redirectErrorStream(true).start();
        assertThat(passwd.waitFor(10, TimeUnit.SECONDS) && passwd.exitValue() == 0).isTrue();
        Files.writeString(dir.resolve("mqtt.password"), "s3cret\n");
    }

    /** A Mosquitto on {@code port} that requires TLS with a client certificate and the password. */
    public static MosquittoBroker mutualTlsBroker(Path dir, int port) {
        return new MosquittoBroker(port, dir.resolve("broker"), List.of(
                "cafile " + dir.resolve("ca.pem"), "certfile " + dir.resolve("server.pem"), "keyfile " + dir.resolve("server.key"),
                "require_certificate true", "password_file " + dir.resolve("passwords")));
    }

    /** The uplink keys (indented for the uplink section) for mutual TLS with the password in {@code passwordFile}. */
    public static String uplinkYaml(Path dir, String passwordFile) {
        return """
                  username: gw1
                  passwordFile: %s
                  tls:
                    ca: %s
                    cert: %s
                    key: %s
                """.formatted(dir.resolve(passwordFile), dir.resolve("ca.pem"), dir.resolve("client.pem"), dir.resolve("client.key"));
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl %s: %s", List.of(args), out).isTrue();
    }
}
