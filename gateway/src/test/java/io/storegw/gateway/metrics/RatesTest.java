package io.storegw.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Rates over about the last minute, from samples taken when asked. */
class RatesTest {

    @Test
    void ratesCoverTheLastMinuteOnceAMinuteHasPassed() {
        AtomicLong now = new AtomicLong(0);
        AtomicLong events = new AtomicLong(0);
        Rates rates = new Rates(now::get, events::get);
        assertThat(rates.perSecond()[0]).isZero();
        for (int s = 1; s <= 60; s++) {
            now.set(s * 1000L);
            events.addAndGet(100);
            rates.perSecond();
        }
        assertThat(rates.perSecond()[0]).isCloseTo(100, within(0.01));
        // the store goes quiet: within a minute the rate says so
        for (int s = 61; s <= 130; s++) {
            now.set(s * 1000L);
            rates.perSecond();
        }
        assertThat(rates.perSecond()[0]).isZero();
    }

    /** A technician runs storegw status once, an hour after the last time: the rates are the last minute's, not zero. */
    @Test
    void aOneOffAskHasTheLastMinuteBehindIt() {
        AtomicLong now = new AtomicLong(0);
        AtomicLong events = new AtomicLong(0);
        Rates rates = new Rates(now::get, events::get);
        rates.perSecond();
        for (long ms = 0; ms <= 3_600_000; ms += 1_000) { // the gateway samples; nobody asks
            now.set(ms);
            events.addAndGet(ms < 3_540_000 ? 10 : 50);
            if (ms % Rates.SAMPLE_EVERY.toMillis() == 0) {
                rates.sample();
            }
        }
        assertThat(rates.perSecond()[0]).isCloseTo(50, within(1.0));
    }
}
