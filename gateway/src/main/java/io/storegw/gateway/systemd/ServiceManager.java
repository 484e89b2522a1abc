package io.storegw.gateway.systemd;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * Talks to systemd's service manager over {@code $NOTIFY_SOCKET} (the sd_notify protocol: one
 * datagram per message, {@code KEY=value} lines): {@code READY=1} once the gateway runs,
 * {@code WATCHDOG=1} while the core loop turns, {@code STOPPING=1} on the way out. Java 17 has no
 * Unix datagram sockets, so this uses Netty's epoll transport. Outside systemd (no
 * {@code NOTIFY_SOCKET}) it does nothing.
 */
public final class ServiceManager implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;
    private ScheduledExecutorService watchdog;

    private ServiceManager(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Connects to the socket systemd names in the environment; a manager that does nothing when there is none. */
    public static ServiceManager fromEnvironment(Map<String, String> env) {
        String path = env.get("NOTIFY_SOCKET");
        if (path == null || path.isEmpty()) {
            return new ServiceManager(null, null);
        }
        if (path.startsWith("@")) {
            Logger.warn("NOTIFY_SOCKET {} is in the abstract namespace, which storegw does not support; not notifying systemd", path);
            return new ServiceManager(null, null);
        }
        if (!Epoll.isAvailable()) {
            Logger.warn(Epoll.unavailabilityCause(), "No epoll transport on this platform; not notifying systemd (use Type=simple)");
            return new ServiceManager(null, null);
        }
        EventLoopGroup group = new EpollEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "sd-notify");
            t.setDaemon(true);
            return t;
        });
        DomainSocketAddress address = new DomainSocketAddress(path);
        try {
            // a connected datagram socket: Netty's epoll channel sends only once bound or connected
            Channel channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).syncUninterruptibly().channel();
            return new ServiceManager(group, channel);
        } catch (RuntimeException e) {
            Logger.warn(e, "Cannot reach systemd at NOTIFY_SOCKET {}; not notifying it", path);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            return new ServiceManager(null, null);
        }
    }

    /** Whether systemd is listening. */
    public boolean active() {
        return channel != null;
    }

    /** Sends one message (lines of {@code KEY=value}); failures are logged, never thrown: the gateway runs on. */
    public void notify(String message) {
        if (channel == null) {
            return;
        }
        channel.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        Logger.warn(f.cause(), "Could not notify systemd of {}", message.lines().findFirst().orElse(""));
                    }
                });
    }

    /**
     * Pings the watchdog at half the interval systemd asked for ({@code $WATCHDOG_USEC}), but only while
     * {@code healthy} says so: a stuck core loop stops the pings, and systemd restarts the service.
     */
    public void startWatchdog(Map<String, String> env, Supplier<String> problem) {
        String usec = env.get("WATCHDOG_USEC");
        if (channel == null || usec == null) {
            return;
        }
        long every = Math.max(1, Long.parseLong(usec) / 2);
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sd-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleAtFixedRate(() -> {
            String why = problem.get();
            if (why == null) {
                notify("WATCHDOG=1");
            } else {
                Logger.warn("Not pinging the systemd watchdog: {}", why);
            }
        }, 0, every, TimeUnit.MICROSECONDS);
        Logger.info("systemd watchdog pinged every {}", Duration.ofNanos(every * 1000));
    }

    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        if (channel != null) {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
