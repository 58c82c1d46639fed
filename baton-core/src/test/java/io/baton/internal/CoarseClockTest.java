package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
        CoarseClock.Ticker ticker = new CoarseClock.Ticker("test-clock", 50);
        ticker.millis();
        await().atMost(Duration.ofSeconds(10)).until(ticker::isAsleep);
        long asleepAt = System.currentTimeMillis();
        // the wall clock moves on while the ticker sleeps: a read must not return the time it fell asleep at
        await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() - asleepAt >= 100);
        assertThat(ticker.isAsleep()).as("nobody read it, so it still sleeps").isTrue();

        long before = System.currentTimeMillis();
        long read = ticker.millis();
        assertThat(read).isGreaterThanOrEqualTo(before);

        // awake again: read every millisecond it moves on, and it falls asleep again when no longer read
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(10)).until(() -> ticker.millis() > read);
        await().atMost(Duration.ofSeconds(10)).until(ticker::isAsleep);
    }

    @Test
    void readersRacingToWakeItNeverGetTheTimeItFellAsleepAt() throws Exception {
        CoarseClock.Ticker ticker = new CoarseClock.Ticker("test-clock-race", 2); // asleep after 2 ms without a read
        int readers = 4;
        CyclicBarrier start = new CyclicBarrier(readers + 1);
        CyclicBarrier done = new CyclicBarrier(readers + 1);
        AtomicLong worstLag = new AtomicLong();
        int rounds = 8;
        try (var pool = Executors.newFixedThreadPool(readers)) {
            for (int r = 0; r < readers; r++) {
                pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        start.await(10, TimeUnit.SECONDS);
                        for (int i = 0; i < 1_000; i++) {
                            long real = System.currentTimeMillis();
                            worstLag.accumulateAndGet(real - ticker.millis(), Math::max);
                        }
                        done.await(10, TimeUnit.SECONDS);
                    }
                    return null;
                });
            }
            for (int round = 0; round < rounds; round++) {
                // asleep, and for 300 ms: then all readers at once find it asleep and race to wake it
                await().atMost(Duration.ofSeconds(10)).until(ticker::isAsleep);
                long asleepFrom = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() - asleepFrom >= 300);
                start.await(10, TimeUnit.SECONDS);
                done.await(10, TimeUnit.SECONDS);
            }
        }
        // a read answered with the time the ticker fell asleep at lags by the 300 ms it slept; the
        // ticker's own lag is a tick or two, more only if a busy machine starves its thread
        assertThat(worstLag.get()).isLessThan(250);
    }
}
