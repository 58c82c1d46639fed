package io.baton.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class MeterTest {
    private static final long MS = 1_000_000;
    private static final long US = 1_000;

    /**
     * A system that serves one message every 100 us but stalls for 50 ms at message 100, driven at
     * 1,000 msgs/s for 1 s. Measured from the intended send time, the messages that waited behind the
     * stall show it; measured from the time each was actually sent (after waiting), they do not.
     */
    @Test
    void latency_atAFixedRate_isMeasuredFromTheIntendedTime_soAStallCountsForEveryMessageHeldBehindIt() throws Exception {
        Histogram intended = run(true);
        Histogram naive = run(false);

        assertThat(intended.getTotalCount()).isEqualTo(1000);
        assertThat(intended.getMaxValue()).isGreaterThanOrEqualTo(49 * MS);
        // about 50 messages were due during the stall: 5 % of them, so p99 and even p95 show it
        assertThat(intended.getValueAtPercentile(95)).isGreaterThan(MS);
        assertThat(intended.getValueAtPercentile(50)).isLessThan(MS);
        // coordinated omission: one message saw the stall, the 49 held behind it look fast
        assertThat(naive.getValueAtPercentile(99)).isLessThan(MS);
    }

    private static Histogram run(boolean fromIntendedTime) throws Exception {
        FakeClock clock = new FakeClock(0);
        Meter meter = new Meter(clock, 32, 42, 1, 1000, 0);
        meter.measureFrom(0);
        Pacer pacer = new Pacer(clock, 1000, 0);
        for (int k = 0; k < 1000; k++) {
            long intended = pacer.next(() -> false);
            long stamp = fromIntendedTime ? intended : clock.nanoTime();
            byte[] body = meter.message(stamp);
            clock.advance(100 * US); // the system's service time, the producer waiting for it (one in flight)
            if (k == 100) clock.advance(50 * MS);
            meter.received(body);
        }
        assertThat(meter.measuredDone()).isCompleted();
        return meter.interval();
    }

    @Test
    void received_aMessageOfAnotherRun_isIgnored() {
        FakeClock clock = new FakeClock(0);
        Meter mine = new Meter(clock, 16, 1, 1, 0, 10);
        Meter theirs = new Meter(clock, 16, 2, 1, 0, 10);
        mine.measureFrom(0);

        mine.received(theirs.message(0));
        mine.received(new byte[3]);

        assertThat(mine.arrived()).isZero();
        assertThat(mine.ignored()).isEqualTo(2);
        assertThat(mine.failure()).isNull();
    }

    @Test
    void received_beforeMeasurement_countsButRecordsNoLatency() {
        FakeClock clock = new FakeClock(0);
        Meter meter = new Meter(clock, 16, 1, 1, 0, 10);
        meter.measureFrom(10 * MS);
        meter.received(meter.message(5 * MS));
        clock.set(11 * MS);
        meter.received(meter.message(10 * MS));

        assertThat(meter.arrived()).isEqualTo(2);
        Histogram h = meter.interval();
        assertThat(h.getTotalCount()).isEqualTo(1);
        assertThat(h.getMaxValue()).isBetween(MS - 1000, MS + 1000);
    }

    @Test
    void credits_boundMessagesInFlight_perSubscriber() throws Exception {
        FakeClock clock = new FakeClock(0);
        Meter meter = new Meter(clock, 16, 1, 2, 0, 2); // window 2, 2 subscribers
        meter.measureFrom(0);
        assertThat(meter.takeCredit(() -> false)).isTrue();
        assertThat(meter.takeCredit(() -> false)).isTrue();
        assertThat(meter.inFlight()).isEqualTo(4);
        assertThat(meter.takeCredit(() -> true)).as("window full: waits until stopped").isFalse();

        byte[] m = meter.message(0);
        meter.received(m);
        assertThat(meter.takeCredit(() -> true)).as("one subscriber's copy arrived: not a whole message yet").isFalse();
        meter.received(m);
        assertThat(meter.takeCredit(() -> true)).isTrue();
    }

    @Test
    void count_completesWhenEveryMeasuredCopyArrived() {
        FakeClock clock = new FakeClock(0);
        Meter meter = new Meter(clock, 16, 1, 2, 2, 10); // 2 measured messages, 2 subscribers
        meter.measureFrom(0);
        assertThat(meter.claimMeasured()).isTrue();
        assertThat(meter.claimMeasured()).isTrue();
        assertThat(meter.claimMeasured()).as("both claimed: producers stop").isFalse();

        for (int i = 0; i < 3; i++) meter.received(meter.message(0));
        assertThat(meter.measuredDone()).isNotDone();
        assertThat(meter.measuredArrived(2)).isEqualTo(3);
        clock.set(7 * MS);
        meter.received(meter.message(0));
        assertThat(meter.measuredDone()).isCompletedWithValue(7 * MS);
    }

    @Test
    void received_aMessageOfTheWrongSize_failsTheRun() {
        Meter meter = new Meter(new FakeClock(0), 32, 1, 1, 0, 10);
        Meter shorter = new Meter(new FakeClock(0), 16, 1, 1, 0, 10);
        meter.received(shorter.message(0));
        assertThat(meter.failure()).hasMessageContaining("16 B arrived; 32 B were sent");
    }

    @Test
    void confirming_aFailedSend_failsTheRun_andCountsUntilSettled() {
        Meter meter = new Meter(new FakeClock(0), 16, 1, 1, 0, 10);
        CompletableFuture<Void> ok = new CompletableFuture<>();
        CompletableFuture<Void> nacked = new CompletableFuture<>();
        meter.confirming(ok);
        meter.confirming(nacked);
        meter.confirming(null);
        assertThat(meter.unconfirmed()).isEqualTo(2);

        ok.complete(null);
        nacked.completeExceptionally(new IllegalStateException("nacked"));

        assertThat(meter.unconfirmed()).isZero();
        assertThat(meter.failure()).hasMessage("nacked");
    }
}
