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
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.storegw.drivers.http.ConnectionLimit;
import io.storegw.drivers.http.IdleConnectionTimeout;
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
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * Serves the admin routes on one small Netty event loop: {@code GET /healthz} and {@code GET /metrics}
 * on loopback TCP, and the same plus the admin API ({@link Route}s) on a Unix socket, whose file
 * permissions are the access control (Netty's epoll transport; Java 17 has no Unix server sockets of its own
 * that Netty could use). Routes that may wait long ({@link Route#waiting}) run on a thread of their own.
 */
public final class AdminHttpServer implements AutoCloseable {

    /** A connection with no request coming in for this long is closed, unless a waiting route is answering it. */
    private static final int IDLE_SECONDS = 30;
    /**
     * Connections the TCP port keeps open at once ({@link ConnectionLimit}): a scraper and a health check hold one
     * each. The port is on loopback by default, but a store that scrapes it from the LAN puts it where anything can
     * open 18,000 idle connections, which ran the till port's heap out before it had a limit.
     */
    static final int MAX_CONNECTIONS = 64;

    private final EventLoopGroup group;
    /** Runs the waiting routes one at a time, in the order asked, as the event loop ran every route before. */
    private final ExecutorService waiting;
    private final Channel channel;
    private final Path socket;

    /**
     * Binds loopback TCP and starts serving {@code /healthz} and {@code /metrics}.
     *
     * @param health null when healthy, otherwise the reason (served as 503)
     */
    public AdminHttpServer(String host, int port, Supplier<String> health, Metrics metrics) throws InterruptedException, IOException {
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("admin-http"));
        this.waiting = null;
        this.socket = null;
        var refused = metrics.counter("storegw_admin_refused_connections_total",
                "Connections to the admin TCP port closed at once because " + MAX_CONNECTIONS + " were open");
        try {
            this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .handler(new ConnectionLimit(MAX_CONNECTIONS, refused::increment))
                    .childHandler(pipeline(new Routes(health, metrics, Map.of(), null), 8192, IDLE_SECONDS))
                    .bind(host, port).sync().channel();
        } catch (Exception e) { // Netty's sync() throws the bind's checked exception undeclared
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            // "Address already in use" alone names no address; a technician must find which setting and which program
            throw new IOException("cannot listen on " + host + ":" + port + " for /healthz and /metrics (admin.http): " + e.getMessage()
                    + "; ss -ltnp 'sport = :" + port + "' names the program holding it", e);
        }
    }

    /**
     * Binds a Unix socket at {@code path} (mode 0660 from the moment it appears; a stale socket file
     * from a killed run is replaced)
     * and serves the admin API besides the TCP routes.
     *
     * @param api the routes, keyed {@code "METHOD /path"}
     */
    public AdminHttpServer(Path path, Supplier<String> health, Metrics metrics, Map<String, Route> api)
            throws InterruptedException, IOException {
        this(path, health, metrics, api, IDLE_SECONDS);
    }

    AdminHttpServer(Path path, Supplier<String> health, Metrics metrics, Map<String, Route> api, int idleSeconds)
            throws InterruptedException, IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("no epoll transport on this platform for the admin socket", Epoll.unavailabilityCause());
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        Files.deleteIfExists(path);
        this.group = new EpollEventLoopGroup(1, new DefaultThreadFactory("admin-socket"));
        ThreadPoolExecutor routesThatWait = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "admin-api");
            t.setDaemon(true);
            return t;
        });
        routesThatWait.allowCoreThreadTimeOut(true); // no idle thread kept between a technician's commands
        this.waiting = routesThatWait;
        this.socket = path;
        // bound under a temporary name and renamed once its mode is set: never reachable with the umask's mode
        Path binding = path.resolveSibling(path.getFileName() + ".new");
        Files.deleteIfExists(binding);
        try {
            this.channel = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                    .childHandler(pipeline(new Routes(health, metrics, Map.copyOf(api), waiting), MAX_API_REQUEST, idleSeconds))
                    .bind(new DomainSocketAddress(binding.toString())).sync().channel();
            Files.setPosixFilePermissions(binding, PosixFilePermissions.fromString("rw-rw----"));
            Files.move(binding, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (RuntimeException | IOException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            waiting.shutdownNow();
            throw e;
        }
    }

    private static ChannelInitializer<Channel> pipeline(Routes routes, int maxRequest, int idleSeconds) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                // No limit on an answer's wait: a resend waits for up to 100 PUBACKs, and `storegw` waits with it.
                ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192))
                        .addLast(new IdleConnectionTimeout(idleSeconds, Duration.ZERO))
                        .addLast(new HttpObjectAggregator(maxRequest))
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
        if (waiting != null) {
            waiting.shutdownNow();
        }
        if (socket != null) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // a stale socket file is replaced at the next start
            }
        }
    }

    /** The largest request the admin socket takes (a layout). */
    private static final int MAX_API_REQUEST = 1 << 20;

    /** One request to the admin API: {@code query} holds the first value of each parameter. */
    public record Request(String method, String path, Map<String, String> query, String body) {
        /** A query parameter, or {@code otherwise} when absent. */
        public String param(String name, String otherwise) {
            return query.getOrDefault(name, otherwise);
        }
    }

    /** An answer to the admin API. */
    public record Answer(int status, String body, String contentType) {
        /** 200 with a value as JSON. */
        public static Answer json(Object value) {
            return new Answer(200, write(value), "application/json");
        }

        /** 200 with JSON already written. */
        public static Answer rawJson(String json) {
            return new Answer(200, json, "application/json");
        }

        private static String write(Object value) {
            try {
                return CloudEventEncoder.JSON.writeValueAsString(value) + "\n";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * One route of the admin API, keyed {@code "METHOD /path"}. It runs on the admin socket's event loop, so
     * it must answer at once (it may wait a moment for the core loop); one that may wait long is made
     * {@link #waiting}. An {@link IllegalArgumentException} answers 400, an {@link IllegalStateException} 409,
     * each with its message.
     */
    @FunctionalInterface
    public interface Route {
        Answer handle(Request request) throws Exception;

        /**
         * The route run off the event loop, for one that may wait long (for a commit, for the broker's
         * PUBACKs): {@code storegw status}, {@code /healthz} and {@code /metrics} are answered meanwhile.
         * Such routes run one at a time.
         */
        static Route waiting(Route route) {
            return new Waiting(route);
        }
    }

    /** A route made {@link Route#waiting}. */
    private record Waiting(Route route) implements Route {
        @Override
        public Answer handle(Request request) throws Exception {
            return route.handle(request);
        }
    }

    /** The routes; everything else is 404 (or 405 for a method other than GET). Shared by every connection. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<String> health;
        private final Metrics metrics;
        private final Map<String, Route> api;
        private final ExecutorService waiting;

        /** @param api empty where only the TCP routes are served, and {@code waiting} null */
        Routes(Supplier<String> health, Metrics metrics, Map<String, Route> api, ExecutorService waiting) {
            this.health = health;
            this.metrics = metrics;
            this.api = api;
            this.waiting = waiting;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            Route route = api.get(request.method().name() + " " + path);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            FullHttpResponse response;
            if (route instanceof Waiting) {
                answerLater(ctx, route, request(request, uri), keepAlive);
                return;
            } else if (route != null) {
                response = answer(route, request(request, uri));
            } else if (!request.method().equals(HttpMethod.GET)) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "not allowed: " + request.method() + " " + path + "\n",
                        "text/plain; charset=utf-8");
            } else if (path.equals("/healthz")) {
                String problem = health.get();
                response = problem == null
                        ? text(HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, problem + "\n", "text/plain; charset=utf-8");
            } else if (path.equals("/metrics")) {
                response = text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8");
            } else {
                response = text(HttpResponseStatus.NOT_FOUND, "not found: try /healthz or /metrics\n", "text/plain; charset=utf-8");
            }
            respond(ctx, response, keepAlive);
        }

        /** Runs a waiting route on its thread; the connection reads nothing more until it is answered (answers stay in order). */
        private void answerLater(ChannelHandlerContext ctx, Route route, Request request, boolean keepAlive) {
            Channel channel = ctx.channel();
            channel.config().setAutoRead(false);
            IdleConnectionTimeout.answering(ctx);
            waiting.execute(() -> {
                FullHttpResponse response = answer(route, request);
                ctx.executor().execute(() -> {
                    channel.config().setAutoRead(true);
                    respond(ctx, response, keepAlive);
                });
            });
        }

        private static void respond(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
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

        /** The request as a route takes it, copied out of Netty's buffer (which is released when the read returns). */
        private static Request request(FullHttpRequest request, QueryStringDecoder uri) {
            Map<String, String> query = new HashMap<>();
            uri.parameters().forEach((k, v) -> query.put(k, v.get(0)));
            return new Request(request.method().name(), uri.path(), query, request.content().toString(StandardCharsets.UTF_8));
        }

        private static FullHttpResponse answer(Route route, Request request) {
            try {
                Answer a = route.handle(request);
                return text(HttpResponseStatus.valueOf(a.status()), a.body(), a.contentType());
            } catch (IllegalArgumentException e) {
                return text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n", "text/plain; charset=utf-8");
            } catch (IllegalStateException e) {
                return text(HttpResponseStatus.CONFLICT, e.getMessage() + "\n", "text/plain; charset=utf-8");
            } catch (Exception e) {
                Logger.error(e, "Admin API {} {} failed", request.method(), request.path());
                return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the gateway failed: " + e + "\n", "text/plain; charset=utf-8");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
