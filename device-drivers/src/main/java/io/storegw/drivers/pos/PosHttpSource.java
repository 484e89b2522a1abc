package io.storegw.drivers.pos;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tills post POSLog to {@code POST /pos/v1/poslog} with their bearer token. The answer is {@code 202}
 * only once every transaction in the document is durable in the outbox, {@code 400} with the reason
 * for input that cannot be taken (the body kept in the dead-letter folder), {@code 401} without a
 * known token, {@code 413} past the size limit, {@code 503} with {@code Retry-After} when the gateway
 * pushes back. Parsing and handing over run off the event loop, because handing over blocks while
 * the core loop's queue is full.
 */
public final class PosHttpSource implements ObservationSource {

    /**
     * @param tokens     bearer token to the till it identifies
     * @param deadLetter where refused bodies are kept, each with a {@code .reason} file
     */
    public record Settings(String host, int port, int maxBytes, Map<String, String> tokens, Path deadLetter,
                           PosLogParser.Settings parser) {
        public Settings {
            tokens = Map.copyOf(tokens);
        }
    }

    static final String NAME = "pos-http";
    private static final int RETRY_AFTER_SECONDS = 5;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final Clock clock;
    private final PosLogParser parser;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "source-pos-http");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong deadLetters = new AtomicLong();
    private volatile Channel channel;
    private volatile String problem;

    public PosHttpSource(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.parser = new PosLogParser(settings.parser());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String problem() {
        return problem;
    }

    /** The port bound (useful with port 0); -1 before {@link #start}. */
    public int port() {
        Channel c = channel;
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    @Override
    public void start(ObservationSink sink) {
        try {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(30))
                                    .addLast(new HttpServerCodec(4096, 8192, 8192))
                                    .addLast(new HttpObjectAggregator(settings.maxBytes()) {
                                        @Override
                                        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
                                                throws Exception {
                                            sink.refused(NAME, "too-large");
                                            super.handleOversizedMessage(ctx, oversized); // answers 413
                                        }
                                    })
                                    .addLast(new Requests(sink));
                        }
                    })
                    .bind(settings.host(), settings.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted while binding";
        } catch (RuntimeException e) {
            problem = "cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage();
        }
    }

    @Override
    public void close() {
        Channel c = channel;
        if (c != null) {
            c.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
    }

    /** The route: authenticate on the event loop, then parse and hand over on a worker. */
    private final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ObservationSink sink;

        Requests(ObservationSink sink) {
            this.sink = sink;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri().split("\\?", 2)[0];
            if (!path.equals("/pos/v1/poslog")) {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, "not found: POST POSLog XML to /pos/v1/poslog\n");
                return;
            }
            if (!request.method().equals(HttpMethod.POST)) {
                respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "only POST\n");
                return;
            }
            String till = till(request.headers().get(HttpHeaderNames.AUTHORIZATION));
            if (till == null) {
                sink.refused(NAME, "unauthorized");
                FullHttpResponse r = response(HttpResponseStatus.UNAUTHORIZED, "a till's bearer token is required\n");
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"storegw-pos\"");
                send(ctx, request, r);
                return;
            }
            byte[] body = ByteBufUtil.getBytes(request.content());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            workers.execute(() -> handle(ctx, keepAlive, till, body));
        }

        private void handle(ChannelHandlerContext ctx, boolean keepAlive, String till, byte[] body) {
            PosLogParser.Result result;
            try {
                result = parser.parse(new ByteArrayInputStream(body));
            } catch (PosFormatException e) {
                sink.refused(NAME, "malformed");
                deadLetter(till, body, e.getMessage());
                send(ctx, keepAlive, response(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n"));
                return;
            }
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            try {
                for (PosTransaction t : result.transactions()) {
                    durable.add(sink.accept(t).toCompletableFuture());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(ctx, keepAlive, retryLater("the gateway is stopping"));
                return;
            }
            CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    sink.refused(NAME, "pushed-back");
                    send(ctx, keepAlive, retryLater(cause.getMessage()));
                } else {
                    send(ctx, keepAlive, response(HttpResponseStatus.ACCEPTED, "{\"accepted\":%d,\"skipped\":%d}\n"
                            .formatted(result.transactions().size(), result.skipped().size()), "application/json"));
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The till a bearer token names, compared in constant time; null when there is none. */
    String till(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        byte[] offered = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        String match = null;
        for (Map.Entry<String, String> e : settings.tokens().entrySet()) {
            if (MessageDigest.isEqual(offered, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                match = e.getValue();
            }
        }
        return match;
    }

    private void deadLetter(String till, byte[] body, String reason) {
        try {
            Files.createDirectories(settings.deadLetter());
            String base = STAMP.format(clock.instant()) + "-" + till.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + deadLetters.incrementAndGet();
            Files.write(settings.deadLetter().resolve(base + ".xml"), body);
            Files.writeString(settings.deadLetter().resolve(base + ".xml.reason"), reason + "\n");
        } catch (IOException e) {
            problem = "cannot write to the dead-letter folder " + settings.deadLetter() + ": " + e.getMessage();
        }
    }

    private static FullHttpResponse retryLater(String why) {
        FullHttpResponse r = response(HttpResponseStatus.SERVICE_UNAVAILABLE, "not taken now, send again later: " + why + "\n");
        r.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        return r;
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body) {
        return response(status, body, "text/plain; charset=utf-8");
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(r, r.content().readableBytes());
        return r;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
        send(ctx, request, response(status, body));
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        send(ctx, HttpUtil.isKeepAlive(request), response);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        HttpUtil.setKeepAlive(response, keepAlive);
        var write = ctx.writeAndFlush(response);
        if (!keepAlive) {
            write.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
