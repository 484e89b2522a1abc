package io.storegw.drivers.pos;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Lets a till's document in only while the documents in progress on the whole port (received and not yet
 * answered) fit in a byte budget, judged from the request's headers before its body is read; past it the
 * till is answered 503 with Retry-After. Each document in progress holds its body, its parse and its
 * events in the heap until its answer: without this, 24 tills posting 1.45 MB sales at once took the
 * appliance's 64 MB heap. One per connection, in front of the aggregator.
 */
final class DocumentAdmission extends ChannelInboundHandlerAdapter {

    /** The bytes all connections of one port may hold at once; each document is given back once answered. */
    static final class Budget {
        private final long limit;
        private final AtomicLong held = new AtomicLong();

        Budget(long limit) {
            this.limit = limit;
        }

        boolean take(long bytes) {
            for (long h = held.get(); ; h = held.get()) {
                if (h + bytes > limit) {
                    return false;
                }
                if (held.compareAndSet(h, h + bytes)) {
                    return true;
                }
            }
        }

        void giveBack(long bytes) {
            held.addAndGet(-bytes);
        }

        long held() {
            return held.get();
        }
    }

    private final Budget budget;
    private final long maxDocument;
    private final Supplier<FullHttpResponse> busy;
    /** What each document let in on this connection took, until a worker owns it (HTTP/1.1 may pipeline). */
    private final ArrayDeque<Long> arriving = new ArrayDeque<>();
    private boolean refusing;

    /** @param busy the answer to a document that does not fit; it is counted by whoever makes it */
    DocumentAdmission(Budget budget, long maxDocument, Supplier<FullHttpResponse> busy) {
        this.budget = budget;
        this.maxDocument = maxDocument;
        this.busy = busy;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            // A chunked body may grow to the limit; without a length or chunks there is none.
            long length = HttpUtil.isTransferEncodingChunked(request) ? maxDocument : HttpUtil.getContentLength(request, 0L);
            if (length > maxDocument) {
                arriving.add(0L); // the aggregator answers 413 without reading it
            } else if (budget.take(length)) {
                arriving.add(length);
            } else {
                refuse(ctx, request);
                return;
            }
            refusing = false;
        } else if (refusing && msg instanceof HttpContent) {
            // The body of a refused document is read and dropped: closing with it unread could reset the
            // connection before the till reads its 503.
            ReferenceCountUtil.release(msg);
            if (msg instanceof LastHttpContent) {
                ctx.close();
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request) {
        boolean bodyComing = !HttpUtil.is100ContinueExpected(request); // curl waits for "100 Continue" before a large body
        ReferenceCountUtil.release(request);
        FullHttpResponse answer = busy.get();
        HttpUtil.setKeepAlive(answer, false);
        var write = ctx.writeAndFlush(answer);
        if (bodyComing) {
            refusing = true;
        } else {
            write.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The bytes the next whole document took; from now on the one who answers it gives them back. */
    long handOver() {
        Long taken = arriving.poll();
        return taken == null ? 0 : taken;
    }

    /** The next document was answered without being read (413): its bytes go back now. */
    void dropNext() {
        budget.giveBack(handOver());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Long taken; (taken = arriving.poll()) != null; ) {
            budget.giveBack(taken); // bodies that never arrived whole
        }
        ctx.fireChannelInactive();
    }
}
