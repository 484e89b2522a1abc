package io.storegw.drivers.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes a connection a listening port accepts past its limit of open ones, before it is given a pipeline. Goes on
 * the server channel ({@code ServerBootstrap.handler}), which reads each accepted connection as a message.
 *
 * <p>Each open connection holds its channel, pipeline and codec in the heap whether it sends anything or not: 18,000
 * idle connections to the till port took the appliance's 64 MB heap, and the gateway with it. Past the limit the
 * newest are refused, so the gateway and every other source go on while something on the store's LAN floods the
 * port; the tills' own connections come back once it stops (what they post is acknowledged only once durable).
 */
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {

    private final int limit;
    private final Runnable refused;
    private final AtomicInteger open = new AtomicInteger();
    /** From a refusal until the port is under half its limit again: a flood is one problem, not a flicker. */
    private volatile boolean refusing;

    /** @param refused told of each connection closed for the limit (to count it) */
    public ConnectionLimit(int limit, Runnable refused) {
        this.limit = limit;
        this.refused = refused;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            child.unsafe().closeForcibly(); // never registered: nothing else to release
            refusing = true;
            refused.run();
            return;
        }
        child.closeFuture().addListener(closed -> {
            if (open.decrementAndGet() < limit / 2) {
                refusing = false;
            }
        });
        ctx.fireChannelRead(child);
    }

    /** Whether connections were refused since the port last had fewer than half its limit open. */
    public boolean refusing() {
        return refusing;
    }

    public int limit() {
        return limit;
    }
}
