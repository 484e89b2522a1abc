package io.storegw.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Asks the running daemon over its admin socket: one HTTP/1.1 GET per connection (Java's own Unix sockets). */
final class AdminSocket {

    /** Where the unit's RuntimeDirectory puts it, and where {@code storegw init} configures it. */
    static final String DEFAULT = "/run/storegw/admin.sock";

    /** An answer: the HTTP status and the body. */
    record Answer(int status, String body) {
    }

    private AdminSocket() {
    }

    static Answer get(Path socket, String path) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: storegw\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
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
