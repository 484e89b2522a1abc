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
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.storegw.drivers.Errors;
import io.storegw.drivers.http.ConnectionLimit;
import io.storegw.drivers.http.IdleConnectionTimeout;
import io.storegw.drivers.observation.PosTransaction;
import io.storegw.drivers.source.DeadLetters;
import io.storegw.drivers.source.ObservationSink;
import io.storegw.drivers.source.ObservationSource;
import io.storegw.drivers.source.Refused;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Tills post POSLog to {@code POST /pos/v1/poslog} and JSON to {@code POST /pos/v1/json/{profile}},
 * over HTTP or HTTPS, proving who they are by bearer token or by the vendor's webhook signature. The
 * answer is {@code 202} only once every transaction in the document is durable in the outbox,
 * {@code 400} with the reason for input that cannot be read and {@code 422} for input the gateway
 * cannot make events of (both bodies kept in the dead-letter folder), {@code 401} without valid
 * credentials, {@code 413} past the size limit, {@code 503} with {@code Retry-After} when the gateway
 * pushes back or the port is already taking in as many bytes as it may ({@link DocumentAdmission}).
 * Everything after the HTTP codec runs off the event loop, because handing over blocks while the core
 * loop's queue is full.
 */
public final class PosHttpSource implements ObservationSource {

    /**
     * @param auth            the schemes that may vouch for a till, asked in order
     * @param deadLetter      where refused bodies are kept, each with a {@code .reason} file
     * @param tls             PEM certificate chain and PKCS#8 key for HTTPS, or null for plain HTTP
     * @param inProgressBytes how many bytes of documents the port takes in at once, received and not yet
     *                        answered (at least {@code maxBytes}); see {@link #inProgressBudget}
     */
    public record Settings(String host, int port, int maxBytes, List<TillAuth> auth, Path deadLetter,
                           PosSettings parser, Tls tls, long inProgressBytes) {
        public Settings {
            auth = List.copyOf(auth);
            inProgressBytes = Math.max(inProgressBytes, maxBytes);
        }
    }

    /**
     * An eighth of the heap. A document in progress holds its body twice (Netty's buffer, then a copy), its
     * parse and its events. With 24 tills posting 1.45 MB sales at once at {@code -Xmx64m}, a quarter of the
     * heap passed and a third ran out of it; without a budget it ran out at once.
     */
    public static long inProgressBudget(long maxHeapBytes) {
        return maxHeapBytes / 8;
    }

    /** The till port's certificate chain and its unencrypted PKCS#8 key, both PEM. */
    public record Tls(Path certificateChain, Path key) {
    }

    static final String NAME = "pos-http";
    private static final String JSON_ROUTE = "/pos/v1/json/";
    /** Refused bodies kept per run; beyond that they are only counted. */
    private static final long MAX_DEAD_LETTERS = 10_000;
    private static final int RETRY_AFTER_SECONDS = 5;
    private static final CompletableFuture<Void> ANSWERED = CompletableFuture.completedFuture(null);
    /** A connection is closed after this long without a request from the till, but not while its answer is worked on. */
    private static final int IDLE_SECONDS = 30;
    /** ...unless the answer takes longer than this: something is stuck, and the till will have given up. */
    private static final Duration ANSWER_LIMIT = Duration.ofMinutes(5);
    /**
     * Connections the port keeps open at once ({@link ConnectionLimit}): a till keeps one, a webhook relay a few; at
     * about 3.5 KB of heap each when idle, these cost under a megabyte.
     */
    static final int MAX_CONNECTIONS = 256;

    private final Settings settings;
    private final PosReader reader;
    private final SslContext ssl;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "source-pos-http");
        t.setDaemon(true);
        return t;
    });
    private final DeadLetters deadLetters;
    private final DocumentAdmission.Budget inProgress;
    private final int idleSeconds;
    private volatile ConnectionLimit connections;
    private volatile Channel channel;
    private volatile String problem;

    /** @throws IllegalArgumentException when the TLS files cannot be used */
    public PosHttpSource(Settings settings, Clock clock) {
        this(settings, clock, IDLE_SECONDS);
    }

    /** With its idle timeout shortened, for tests. */
    PosHttpSource(Settings settings, Clock clock, int idleSeconds) {
        this.idleSeconds = idleSeconds;
        this.settings = settings;
        this.reader = new PosReader(settings.parser());
        this.deadLetters = new DeadLetters(settings.deadLetter(), clock, MAX_DEAD_LETTERS);
        this.inProgress = new DocumentAdmission.Budget(settings.inProgressBytes());
        this.ssl = settings.tls() == null ? null : sslContext(settings.tls());
    }

    private static SslContext sslContext(Tls tls) {
        try {
            return SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.key().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use " + tls.certificateChain() + " and " + tls.key()
                    + " for HTTPS (the key must be unencrypted PKCS#8 PEM: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String problem() {
        ConnectionLimit limit = connections;
        return problem != null || limit == null || !limit.refusing() ? problem
                : "refusing connections: " + limit.limit() + " are open, the port's limit (something on the store's LAN"
                + " opens connections and keeps them; tills get in again once it stops)";
    }

    /** The port bound (useful with port 0); -1 before {@link #start}. */
    public int port() {
        Channel c = channel;
        return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
    }

    @Override
    public void start(ObservationSink sink) {
        try {
            ConnectionLimit limit = new ConnectionLimit(MAX_CONNECTIONS, () -> sink.refused(NAME, "connections",
                    "a connection over the limit of " + MAX_CONNECTIONS + " open at once, closed at once"));
            connections = limit;
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .handler(limit)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (ssl != null) {
                                ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                            }
                            DocumentAdmission admission = new DocumentAdmission(inProgress, settings.maxBytes(), () -> {
                                String busy = "the gateway is taking in " + inProgress.held() + " bytes of other documents";
                                sink.refused(NAME, "busy", "a post from " + from(ch) + " answered 503: " + busy);
                                return retryLater(busy);
                            });
                            ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192))
                                    .addLast(new IdleConnectionTimeout(idleSeconds, ANSWER_LIMIT))
                                    .addLast(admission)
                                    .addLast(new HttpObjectAggregator(settings.maxBytes()) {
                                        @Override
                                        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
                                                throws Exception {
                                            sink.refused(NAME, "too-large", "a post from " + from(ch) + " of more than sources.pos.maxDocument ("
                                                    + settings.maxBytes() + " bytes) answered 413");
                                            admission.dropNext();
                                            super.handleOversizedMessage(ctx, oversized); // answers 413
                                        }
                                    })
                                    .addLast(new Requests(sink, admission));
                        }
                    })
                    .bind(settings.host(), settings.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted while binding";
        } catch (Exception e) { // Netty's sync() throws the bind's checked exception undeclared
            problem = "cannot listen on " + settings.host() + ":" + settings.port() + ": " + Errors.describe(e)
                    + " (tills cannot post until storegw is restarted with the port free)";
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

    /** Routes on the event loop; authenticates, reads and hands over on a worker. */
    private final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ObservationSink sink;
        private final DocumentAdmission admission;

        Requests(ObservationSink sink, DocumentAdmission admission) {
            this.sink = sink;
            this.admission = admission;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            long taken = admission.handOver();
            String path = request.uri().split("\\?", 2)[0];
            PosFormat format;
            if (path.equals("/pos/v1/poslog")) {
                format = PosFormat.POSLOG;
            } else if (path.startsWith(JSON_ROUTE) && PosFormat.jsonProfile(path.substring(JSON_ROUTE.length())).isPresent()) {
                format = PosFormat.jsonProfile(path.substring(JSON_ROUTE.length())).get();
            } else {
                inProgress.giveBack(taken);
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, "not found: POST POSLog XML to /pos/v1/poslog, JSON to "
                        + JSON_ROUTE + "{square|shopify|lightspeed|generic}\n");
                return;
            }
            if (!request.method().equals(HttpMethod.POST)) {
                inProgress.giveBack(taken);
                respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "only POST\n");
                return;
            }
            byte[] body = ByteBufUtil.getBytes(request.content());
            HttpHeaders headers = request.headers().copy();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            // The document's bytes go back once it is answered, whether or not the till is still there to hear it.
            IdleConnectionTimeout.answering(ctx);
            workers.execute(() -> {
                CompletableFuture<?> answered = null;
                try {
                    answered = handle(ctx, keepAlive, format, headers, body);
                } catch (RuntimeException e) {
                    // A bug met on the way in (the readers' own are refusals already): the till hears it, not silence.
                    send(ctx, keepAlive, response(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the gateway failed on this document: " + e + "\n"));
                    answered = ANSWERED;
                } finally {
                    if (answered == null) {
                        inProgress.giveBack(taken); // it threw
                    } else {
                        answered.whenComplete((v, e) -> inProgress.giveBack(taken));
                    }
                }
            });
        }

        /** Completes once the document is answered. */
        private CompletableFuture<?> handle(ChannelHandlerContext ctx, boolean keepAlive, PosFormat format, HttpHeaders headers, byte[] body) {
            String till = null;
            for (TillAuth scheme : settings.auth()) {
                till = scheme.till(format, headers, body);
                if (till != null) {
                    break;
                }
            }
            if (till == null) {
                sink.refused(NAME, "unauthorized", "a " + format.id() + " post from " + from(ctx.channel())
                        + " without a till's token or a valid webhook signature answered 401 (storegw tills list)");
                FullHttpResponse r = response(HttpResponseStatus.UNAUTHORIZED, "a till's bearer token or a valid webhook signature is required\n");
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"storegw-pos\"");
                send(ctx, keepAlive, r);
                return ANSWERED;
            }
            PosDocument document;
            try {
                document = reader.read(format, body);
            } catch (PosFormatException e) {
                sink.refused(NAME, "malformed", "till " + till + ": " + e.getMessage() + " (answered 400)");
                deadLetter(till, format, body, e.getMessage());
                send(ctx, keepAlive, response(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n"));
                return ANSWERED;
            }
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            try {
                for (PosTransaction t : document.transactions()) {
                    durable.add(sink.accept(t).toCompletableFuture());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                send(ctx, keepAlive, retryLater("the gateway is stopping"));
                return ANSWERED;
            }
            String sender = till;
            return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
                if (failure == null) {
                    send(ctx, keepAlive, response(HttpResponseStatus.ACCEPTED, "{\"accepted\":%d,\"skipped\":%d}\n"
                            .formatted(document.transactions().size(), document.skipped().size()), "application/json"));
                    return;
                }
                Refused refused = Refused.of(failure);
                if (refused.retry() == Refused.Retry.NEVER) {
                    sink.refused(NAME, "unprocessable", "till " + sender + ": " + refused.getMessage() + " (answered 422)");
                    deadLetter(sender, format, body, refused.getMessage());
                    send(ctx, keepAlive, response(HttpResponseStatus.UNPROCESSABLE_ENTITY, refused.getMessage() + "\n"));
                } else {
                    sink.refused(NAME, "pushed-back", "till " + sender + " asked to post again later: " + refused.getMessage());
                    send(ctx, keepAlive, retryLater(refused.getMessage()));
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Who posted, by IP address: which till or webhook a technician should look at. */
    private static String from(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : String.valueOf(ch.remoteAddress());
    }

    private void deadLetter(String till, PosFormat format, byte[] body, String reason) {
        try {
            // named so that moving it into the spool folder replays it in its format
            deadLetters.keep(till, format == PosFormat.POSLOG ? ".xml" : "." + format.id() + ".json", body, reason);
        } catch (IOException e) {
            problem = "cannot write to the dead-letter folder " + settings.deadLetter() + ": " + Errors.describe(e);
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
