package io.storegw.drivers.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP connection whose client has sent nothing for a while, unless the server is still working on the
 * answer to one of its requests: only the client's silence is timed. Goes right after the HTTP codec.
 *
 * <p>Netty's {@code ReadTimeoutHandler} times the connection, not the client: a till whose sale waited over 30 s for
 * the outbox was cut off before its answer (and sent it again). A request handed to another thread is marked with
 * {@link #answering}; writing its answer ends the mark.
 */
public final class IdleConnectionTimeout extends IdleStateHandler {

    private final long answerLimitNanos;
    /** When the request now being answered was handed over; -1 when none is. Event loop only. */
    private long answeringSince = -1;
    /** When the last answer was written: the client's silence is counted from there. Event loop only. */
    private long answeredAt;
    private boolean answered;

    /**
     * @param answerLimit how long an answer may be waited for before the connection is closed all the same;
     *                    {@link Duration#ZERO} for no limit
     */
    public IdleConnectionTimeout(int idleSeconds, Duration answerLimit) {
        super(idleSeconds, 0, 0);
        this.answerLimitNanos = answerLimit.toNanos();
    }

    /** The request just read is answered elsewhere: its connection is not idle until the answer is written. On the event loop. */
    public static void answering(ChannelHandlerContext ctx) {
        IdleConnectionTimeout timeout = ctx.pipeline().get(IdleConnectionTimeout.class);
        if (timeout != null) {
            timeout.answeringSince = System.nanoTime();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            answeringSince = -1; // a "100 Continue" is not the answer
            answeredAt = System.nanoTime();
            answered = true;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
        long now = System.nanoTime();
        boolean waitingForUs = answeringSince >= 0 && (answerLimitNanos == 0 || now - answeringSince < answerLimitNanos);
        // Netty counts from the last read; after a long answer that can be a moment ago, and a client sending its
        // next request on the kept-alive connection would find it closed under it.
        boolean answeredLately = answered && now - answeredAt < TimeUnit.MILLISECONDS.toNanos(getReaderIdleTimeInMillis());
        if (!waitingForUs && !answeredLately) {
            ctx.close();
        }
    }
}
