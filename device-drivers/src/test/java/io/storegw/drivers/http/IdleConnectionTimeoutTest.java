package io.storegw.drivers.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The limit on an answer's wait, which the HTTP intake's tests (the till's side) do not reach. */
class IdleConnectionTimeoutTest {

    @Test
    void anAnswerWaitedForPastItsLimitNoLongerHoldsTheConnection() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new IdleConnectionTimeout(1, Duration.ofSeconds(3)));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/pos/v1/poslog"));
        IdleConnectionTimeout.answering(channel.pipeline().firstContext());
        Thread.sleep(1_500);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("idle, but its answer is being worked on").isTrue();
        Thread.sleep(3_000);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("past the answer's limit").isFalse();
    }

    @Test
    void aConnectionNothingIsAnsweredOnIsClosedWhenIdle() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new IdleConnectionTimeout(1, Duration.ZERO));
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz"));
        Thread.sleep(1_500);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }
}
