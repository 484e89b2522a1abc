package io.storegw.gateway.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.storegw.drivers.testing.Await;
import io.storegw.gateway.testing.GatewayProcess;
import io.storegw.gateway.testing.TestBroker;
import io.storegw.gateway.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sd_notify protocol for real: a Unix datagram socket plays systemd, as {@code $NOTIFY_SOCKET}. */
class ServiceManagerTest {

    @TempDir
    Path dir;
    EventLoopGroup group;
    Channel systemd;
    Path socket;
    final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() {
        socket = dir.resolve("notify");
        group = new EpollEventLoopGroup(1);
        systemd = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        received.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                }).bind(new DomainSocketAddress(socket.toString())).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        systemd.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void theGatewayIsReadyOnlyWhenRunningPingsTheWatchdogAndSaysWhenItStops() throws Exception {
        Path state = dir.resolve("gw");
        Path config = state.resolve("storegw.yaml");
        Files.createDirectories(state);
        Files.writeString(config, TestConfigs.yaml(state, "tcp://127.0.0.1:" + TestBroker.freePort(), 50, 1_000, ""));
        Process gateway = GatewayProcess.start(config, dir.resolve("gw.log"),
                Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", "1000000"));
        try {
            Await.until(Duration.ofSeconds(60), "READY=1", () -> received.stream().anyMatch(m -> m.startsWith("READY=1\n")));
            assertThat(received.get(0)).as("nothing before ready").startsWith("READY=1\nSTATUS=running for acme/s042/gw1");
            Await.until(Duration.ofSeconds(10), "watchdog pings", () -> received.stream().filter("WATCHDOG=1"::equals).count() >= 3);
        } finally {
            gateway.destroy(); // SIGTERM, as systemctl stop
            assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        Await.until(Duration.ofSeconds(5), "STOPPING=1", () -> received.contains("STOPPING=1"));
    }

    @Test
    void aStuckCoreLoopStopsTheWatchdogPings() throws Exception {
        AtomicReference<String> problem = new AtomicReference<>();
        try (ServiceManager manager = ServiceManager.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()))) {
            assertThat(manager.active()).isTrue();
            manager.startWatchdog(Map.of("WATCHDOG_USEC", "100000"), problem::get);
            Await.until(Duration.ofSeconds(5), "pings", () -> received.size() >= 2);
            problem.set("core loop has not turned for 12000 ms");
            Thread.sleep(500); // a ping already on its way may still land
            int before = received.size();
            Thread.sleep(500);
            assertThat(received).as("no ping for ten intervals").hasSize(before);
            problem.set(null);
            Await.until(Duration.ofSeconds(5), "pings again", () -> received.size() > before);
        }
    }

    @Test
    void outsideSystemdNothingIsSent() {
        try (ServiceManager manager = ServiceManager.fromEnvironment(Map.of())) {
            assertThat(manager.active()).isFalse();
            manager.notify("READY=1");
            manager.startWatchdog(Map.of("WATCHDOG_USEC", "1000"), () -> null);
        }
        assertThat(received).isEmpty();
    }
}
