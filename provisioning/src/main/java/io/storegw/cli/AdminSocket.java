package io.storegw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.storegw.gateway.event.CloudEventEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Asks the running daemon over its admin socket: one HTTP/1.1 request per connection (Java's own Unix sockets). */
final class AdminSocket {

    /** Where the unit's RuntimeDirectory puts it, and where {@code storegw init} configures it. */
    static final String DEFAULT = "/run/storegw/admin.sock";

    /** An answer: the HTTP status and the body. */
    record Answer(int status, String body) {
    }

    /** The daemon could not be asked, or refused: the message is for the technician; the exit status follows. */
    static final class Failure extends Exception {
        final int exitStatus;
        /** Nobody answered on the socket (the gateway stopped or restarts), as against an answer that refused. */
        final boolean unreachable;

        Failure(String message, int exitStatus) {
            this(message, exitStatus, false);
        }

        private Failure(String message, int exitStatus, boolean unreachable) {
            super(message);
            this.exitStatus = exitStatus;
            this.unreachable = unreachable;
        }
    }

    private AdminSocket() {
    }

    static Answer get(Path socket, String path) throws IOException {
        return request(socket, "GET", path, null);
    }

    /**
     * Asks and reads the answer as JSON; an unreachable daemon or an answer other than 200 is a
     * {@link Failure} whose message says what to do (400 is the technician's input: exit status 2).
     */
    static JsonNode json(Path socket, String method, String path, String body) throws Failure {
        Answer a;
        try {
            a = request(socket, method, path, body);
        } catch (IOException e) {
            throw new Failure("cannot reach the gateway at " + socket + " (" + e.getMessage()
                    + "); is it running? Try: systemctl status storegw", 1, true);
        }
        if (a.status() != 200) {
            throw new Failure("the gateway refused: " + a.body().strip(), a.status() == 400 ? 2 : 1);
        }
        try {
            return CloudEventEncoder.JSON.readTree(a.body());
        } catch (IOException e) {
            throw new Failure("the gateway's answer is not JSON: " + e.getMessage(), 1);
        }
    }

    static Answer request(Path socket, String method, String path, String body) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((method + " " + path + " HTTP/1.1\r\nHost: storegw\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n")
                    + "\r\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer out = ByteBuffer.wrap(content);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                response.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            String text = response.toString(StandardCharsets.UTF_8);
            int headersEnd = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || headersEnd < 0) {
                throw new IOException("not an HTTP answer from " + socket);
            }
            return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(headersEnd + 4));
        }
    }
}
