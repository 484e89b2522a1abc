package io.storegw.rigs.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.storegw.gateway.config.GatewayConfig;
import io.storegw.gateway.testing.AdminClient;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.MosquittoBroker;
import io.storegw.gateway.testing.TestBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code storegw bench-pos}: POSLog transactions accepted end to end over HTTP, each answered only
 * once durable, against a bare Netty HTTP server that answers {@code 202} without reading the body,
 * measured in one run by the same tills.
 */
@Command(name = "bench-pos", mixinStandardHelpOptions = true,
        description = {"Measure POSLog transactions/s over HTTP with durable acknowledgement, and their p99 latency.",
                "The baseline is a bare Netty HTTP server answering 202 at once. Needs mosquitto on the PATH.",
                "Writes a dated report to --results."})
public final class PosBenchCommand implements Callable<Integer> {

    @Option(names = "--tills", paramLabel = "N", defaultValue = "8", description = "Tills posting at once (default: ${DEFAULT-VALUE}).")
    int tills;

    @Option(names = "--seconds", paramLabel = "SECONDS", defaultValue = "30", description = "Measured seconds per phase, after 5 s warm-up (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--commit-interval", paramLabel = "DURATION",
            description = "The gateway's outbox.commitInterval, e.g. 0ms (default: the gateway's own).")
    String commitInterval;

    @Mixin
    Reports reports;

    private static final String TOKEN = "bench-till-token-0123456789";

    /** What one phase measured: accepted transactions per second and acknowledgement latency. */
    record Phase(double perSecond, double p50Ms, double p99Ms, long accepted, long failed) {
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("storegw-bench-pos");
        List<String> report = new ArrayList<>();
        try (TestBroker broker = new MosquittoBroker(TestBroker.freePort(), work.resolve("mosquitto"))) {
            broker.start();
            say("baseline: bare Netty HTTP answering 202, " + tills + " tills for " + seconds + " s ...");
            Phase baseline = baseline();
            say("storegw: POSLog over HTTP, durable before 202, " + tills + " tills for " + seconds + " s ...");
            int port = TestBroker.freePort();
            int adminPort = TestBroker.freePort();
            Path config = writeConfig(work.resolve("gw"), broker.uri(), port, adminPort, commitInterval);
            Process gateway = GatewayProcess.start(config, work.resolve("gateway.log"));
            Phase gw;
            long rssKb;
            long committed;
            try {
                TestBroker.awaitListening(port, Duration.ofSeconds(60));
                gw = run(port);
                rssKb = BenchCommand.peakRssKb(gateway.pid());
                committed = (long) new AdminClient(adminPort).metric("storegw_outbox_committed_sequence").orElse(-1);
            } finally {
                gateway.destroy();
                gateway.waitFor(30, TimeUnit.SECONDS);
            }
            report.addAll(render(baseline, gw, rssKb, committed));
        } finally {
            try (var paths = Files.walk(work)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        reports.write("pos", report);
        return 0;
    }

    private Phase baseline() throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec()).addLast(new HttpObjectAggregator(1 << 20))
                                    .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                            var r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED,
                                                    Unpooled.copiedBuffer("{\"accepted\":1,\"skipped\":0}\n", StandardCharsets.UTF_8));
                                            HttpUtil.setContentLength(r, r.content().readableBytes());
                                            ctx.writeAndFlush(r);
                                        }
                                    });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            try {
                return run(((java.net.InetSocketAddress) server.localAddress()).getPort());
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** The tills post one transaction per request, each waiting for its answer, for warm-up then the measured time. */
    private Phase run(int port) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tills);
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<long[]>> results = new ArrayList<>();
        for (int t = 1; t <= tills; t++) {
            int till = t;
            results.add(pool.submit(() -> till(till, port, measuring, stop)));
        }
        Thread.sleep(5_000);
        measuring.set(true);
        long started = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        double elapsed = (System.nanoTime() - started) / 1e9;
        List<Long> latencies = new ArrayList<>();
        long failed = 0;
        for (Future<long[]> f : results) {
            long[] r = f.get(2, TimeUnit.MINUTES);
            failed += r[0];
            for (int i = 1; i < r.length; i++) {
                latencies.add(r[i]);
            }
        }
        pool.shutdownNow();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Phase(sorted.length / elapsed, percentile(sorted, 50), percentile(sorted, 99), sorted.length, failed);
    }

    /** Returns {failures, latency ns of each measured 202...}. */
    private static long[] till(int till, int port, AtomicBoolean measuring, AtomicBoolean stop) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/pos/v1/poslog");
        long[] out = new long[1 << 16];
        int n = 1;
        long failed = 0;
        for (long seq = 1; !stop.get(); seq++) {
            HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + TOKEN)
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(poslog(till, seq), StandardCharsets.UTF_8)).build();
            long t0 = System.nanoTime();
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            long took = System.nanoTime() - t0;
            if (r.statusCode() != 202) {
                failed++;
            } else if (measuring.get()) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = took;
            }
        }
        out[0] = failed;
        return Arrays.copyOf(out, n);
    }

    /** A one-sale POSLog 6.0 document as tills send them, numbered per till. */
    static String poslog(int till, long seq) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <POSLog xmlns="http://www.nrf-arts.org/IXRetail/namespace/" MajorVersion="6" MinorVersion="0">
                  <Transaction>
                    <BusinessUnit><UnitID>s1</UnitID></BusinessUnit><WorkstationID>till-%d</WorkstationID>
                    <SequenceNumber>%d</SequenceNumber><BusinessDayDate>2026-11-23</BusinessDayDate>
                    <BeginDateTime>2026-11-23T10:00:00+01:00</BeginDateTime><EndDateTime>2026-11-23T10:01:30+01:00</EndDateTime>
                    <CurrencyCode>EUR</CurrencyCode>
                    <RetailTransaction>
                      <LineItem><Sale><ItemID>4006381333931</ItemID><Quantity>2</Quantity><ExtendedAmount>4.98</ExtendedAmount></Sale></LineItem>
                      <LineItem><Sale><ItemID>4311501490116</ItemID><Quantity>1</Quantity><ExtendedAmount>1.29</ExtendedAmount></Sale></LineItem>
                      <LineItem><Tender TenderType="CreditDebit"><Amount>6.27</Amount></Tender></LineItem>
                      <Total TotalType="TransactionGrandAmount">6.27</Total><Total TotalType="TransactionTaxAmount">0.41</Total>
                      <LoyaltyAccount><CustomerID>92760012345%02d</CustomerID></LoyaltyAccount>
                    </RetailTransaction>
                  </Transaction>
                </POSLog>
                """.formatted(till, seq, seq % 100);
    }

    private static double percentile(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100.0 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }

    private static Path writeConfig(Path state, String broker, int port, int adminPort, String commitInterval) throws Exception {
        Files.createDirectories(state);
        Path tokens = Files.writeString(state.resolve("pos-tokens"), "bench " + TOKEN + "\n");
        return Files.writeString(state.resolve("storegw.yaml"), """
                tenant: bench
                store: s1
                gateway: pos
                timeZone: Europe/Berlin
                stateDir: %s
                uplink:
                  broker: %s
                %s
                sources:
                  pos:
                    http:
                      enabled: true
                      port: %d
                      tokensFile: %s
                admin:
                  http:
                    port: %d
                """.formatted(state.toAbsolutePath(), broker,
                commitInterval == null ? "" : "outbox:\n  commitInterval: " + commitInterval, port, tokens.toAbsolutePath(), adminPort));
    }

    private List<String> render(Phase baseline, Phase gw, long rssKb, long committed) throws Exception {
        List<String> out = new ArrayList<>();
        out.add("# storegw POS intake benchmark, " + LocalDate.now());
        out.add("");
        out.add("Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version() + "; " + tills
                + " tills (JDK HttpClient, HTTP/1.1 keep-alive), each posting one POSLog 6.0 sale per request and waiting for the answer.");
        out.add("Gateway in a child JVM with the appliance's options: " + String.join(" ", GatewayProcess.applianceJvmOptions())
                + "; outbox.commitInterval " + (commitInterval == null ? "default (" + GatewayConfig.Outbox.DEFAULT_COMMIT_INTERVAL.toMillis() + "ms)" : commitInterval)
                + "; uplink to Mosquitto on 127.0.0.1. Baseline: a bare Netty HTTP server in the bench JVM answering 202 without reading the body.");
        out.add("");
        out.add("| phase | transactions/s | ratio to bare HTTP | ack p50 ms | ack p99 ms | answered | not 202 |");
        out.add("|---|---:|---:|---:|---:|---:|---:|");
        out.add(row("bare Netty HTTP, 202 at once (baseline)", baseline, baseline));
        out.add(row("storegw: parse, core loop, outbox commit, then 202", gw, baseline));
        out.add("");
        out.add(String.format("storegw peak RSS %.1f MB; %d events committed in the outbox over warm-up and measurement.",
                rssKb / 1024.0, committed));
        return out;
    }

    private static String row(String name, Phase p, Phase baseline) {
        return String.format("| %s | %.0f | %.2f | %.1f | %.1f | %d | %d |", name, p.perSecond(), p.perSecond() / baseline.perSecond(),
                p.p50Ms(), p.p99Ms(), p.accepted(), p.failed());
    }

    private static void say(String text) {
        System.out.println("bench-pos: " + text);
    }
}
