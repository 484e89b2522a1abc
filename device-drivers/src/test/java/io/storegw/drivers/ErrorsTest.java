package io.storegw.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One line that says what failed, also where NIO's message is a path alone and where there is no message. */
class ErrorsTest {

    @Test
    void aFileErrorSaysWhatIsWrongWithThePath() {
        assertThat(Errors.describe(new NoSuchFileException("/proc/.storegw.yaml.new"))).isEqualTo("/proc/.storegw.yaml.new: no such file or directory");
        assertThat(Errors.describe(new IOException("cannot open the outbox", new AccessDeniedException("/var/lib/storegw/outbox.mv"))))
                .isEqualTo("cannot open the outbox (/var/lib/storegw/outbox.mv: permission denied)");
        assertThat(Errors.describe(new java.nio.file.FileAlreadyExistsException("/var/lib/storegw")))
                .isEqualTo("/var/lib/storegw: exists already (a file where a directory should be?)");
        assertThat(Errors.describe(new AccessDeniedException("/etc/storegw/x", null, "Read-only file system")))
                .isEqualTo("/etc/storegw/x: Read-only file system");
    }

    @Test
    void aFailureWithoutAMessageIsNamedByItsKind() {
        assertThat(Errors.describe(new EOFException())).isEqualTo("EOFException");
        assertThat(Errors.describe(new IOException("the broker went", new EOFException()))).isEqualTo("the broker went (EOFException)");
    }

    @Test
    void theHttpClientsConnectFailuresSayRefusedOrUnknownHost() throws Exception {
        // what java.net.http.HttpClient throws: a ConnectException without a message, twice, around the channel's failure
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThat(Errors.describe(failure(URI.create("http://127.0.0.1:" + closed + "/live-sum.json"))))
                .isEqualTo("cannot connect (connection refused or closed)");
        assertThat(Errors.describe(failure(URI.create("http://no-such-host.invalid/live-sum.json"))))
                .isEqualTo("cannot connect (unknown host name)");
    }

    @Test
    void aCauseChainSaysEachThingOnce() {
        var disk = new IOException("No space left on device");
        assertThat(Errors.describe(new IOException("commit failed", new IOException("IO Exception: No space left on device", disk))))
                .isEqualTo("commit failed (IO Exception: No space left on device)");
        assertThat(Errors.describe(new IOException("a", new IOException("b", new IOException("c", new IOException("d"))))))
                .as("three deep at most").isEqualTo("a (b: c)");
    }

    private static Exception failure(URI uri) throws InterruptedException {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError(uri + " answered");
    }
}
