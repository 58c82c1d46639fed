package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CoarseClockTest {
    @Test
    void followsTheRealClock() {
        long before = System.currentTimeMillis();
        long read = CoarseClock.millis();
        // it may lag by a tick or so, never by much
        assertThat(read).isBetween(before - 50, System.currentTimeMillis());
        await().atMost(Duration.ofSeconds(10)).until(() -> CoarseClock.millis() > read);
    }

    @Test
    void sleepsWhenNobodyReadsItAndTheNextReadIsFresh() {
        CoarseClock.Ticker ticker = new CoarseClock.Ticker("test-clock", 5);
        ticker.millis();
        await().atMost(Duration.ofSeconds(10)).until(ticker::isAsleep);
        long asleepAt = System.currentTimeMillis();
        // the wall clock moves on while the ticker sleeps: a read must not return the time it fell asleep at
        await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() - asleepAt >= 100);
        assertThat(ticker.isAsleep()).as("nobody read it, so it still sleeps").isTrue();

        long before = System.currentTimeMillis();
        long read = ticker.millis();
        assertThat(read).isGreaterThanOrEqualTo(before);
        assertThat(ticker.isAsleep()).isFalse();

        // awake again: it ticks while it is read, and falls asleep again when it no longer is
        await().atMost(Duration.ofSeconds(10)).until(() -> ticker.millis() > read);
        await().atMost(Duration.ofSeconds(10)).until(ticker::isAsleep);
    }
}
