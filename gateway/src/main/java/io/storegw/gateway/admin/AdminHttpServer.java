package io.storegw.gateway.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.storegw.gateway.event.CloudEventEncoder;
import io.storegw.gateway.metrics.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves the admin routes on one small Netty event loop: {@code GET /healthz} and {@code GET /metrics}
 * on loopback TCP, and the same plus {@code GET /status} on a Unix socket, whose file permissions
 * are the access control (Netty's epoll transport; Java 17 has no Unix server sockets of its own
 * that Netty could use).
 */
public final class AdminHttpServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;
    private final Path socket;

    /**
     * Binds loopback TCP and starts serving {@code /healthz} and {@code /metrics}.
     *
     * @param health null when healthy, otherwise the reason (served as 503)
     */
    public AdminHttpServer(String host, int port, Supplier<String> health, Metrics metrics) throws InterruptedException {
        this.group = new NioEventLoopGroup(1);
        this.socket = null;
        this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(pipeline(new Routes(health, metrics, null)))
                .bind(host, port).sync().channel();
    }

    /**
     * Binds a Unix socket at {@code path} (mode 0660 from the moment it appears; a stale socket file
     * from a killed run is replaced)
     * and serves {@code /status} besides the TCP routes.
     *
     * @param status the gateway's state as a JSON-ready object
     */
    public AdminHttpServer(Path path, Supplier<String> health, Metrics metrics, Supplier<Object> status)
            throws InterruptedException, IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("no epoll transport on this platform for the admin socket", Epoll.unavailabilityCause());
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        Files.deleteIfExists(path);
        this.group = new EpollEventLoopGroup(1);
        this.socket = path;
        // bound under a temporary name and renamed once its mode is set: never reachable with the umask's mode
        Path binding = path.resolveSibling(path.getFileName() + ".new");
        Files.deleteIfExists(binding);
        try {
            this.channel = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(pipeline(new Routes(health, metrics, status)))
                    .bind(new DomainSocketAddress(binding.toString())).sync().channel();
            Files.setPosixFilePermissions(binding, PosixFilePermissions.fromString("rw-rw----"));
            Files.move(binding, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (RuntimeException | IOException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static ChannelInitializer<Channel> pipeline(Routes routes) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ReadTimeoutHandler(10))
                        .addLast(new HttpServerCodec(4096, 8192, 8192))
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(routes);
            }
        };
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (socket != null) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // a stale socket file is replaced at the next start
            }
        }
    }

    /** The routes; everything else is 404 (or 405 for a method other than GET). Shared by every connection. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<String> health;
        private final Metrics metrics;
        private final Supplier<Object> status;

        /** @param status null where {@code /status} is not served (loopback TCP) */
        Routes(Supplier<String> health, Metrics metrics, Supplier<Object> status) {
            this.health = health;
            this.metrics = metrics;
            this.status = status;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri().split("\\?", 2)[0];
            FullHttpResponse response;
            if (!request.method().equals(HttpMethod.GET)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n", "text/plain; charset=utf-8");
            } else if (path.equals("/healthz")) {
                String problem = health.get();
                response = problem == null
                        ? text(HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, problem + "\n", "text/plain; charset=utf-8");
            } else if (path.equals("/metrics")) {
                response = text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8");
            } else if (path.equals("/status") && status != null) {
                response = text(HttpResponseStatus.OK, json(status.get()), "application/json");
            } else {
                response = text(HttpResponseStatus.NOT_FOUND, "not found: try /healthz or /metrics\n", "text/plain; charset=utf-8");
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var write = ctx.writeAndFlush(response);
            if (!keepAlive) {
                write.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            HttpUtil.setContentLength(r, r.content().readableBytes());
            return r;
        }

        private static String json(Object value) {
            try {
                return CloudEventEncoder.JSON.writeValueAsString(value) + "\n";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
