package io.baton.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacerTest {
    private static final long MS = 1_000_000;

    @Test
    void next_atAFixedRate_waitsForEachIntendedTime() throws Exception {
        FakeClock clock = new FakeClock(5 * MS);
        Pacer pacer = new Pacer(clock, 1000, 10 * MS);

        assertThat(pacer.next(() -> false)).isEqualTo(10 * MS);
        assertThat(clock.nanoTime()).as("waited for the first intended time").isEqualTo(10 * MS);
        assertThat(pacer.next(() -> false)).isEqualTo(11 * MS);
        assertThat(pacer.next(() -> false)).isEqualTo(12 * MS);
        assertThat(clock.nanoTime()).isEqualTo(12 * MS);
    }

    @Test
    void next_afterTheSystemHeldTheProducer_returnsTheMissedIntendedTimesAtOnce_keepingTheSchedule() throws Exception {
        FakeClock clock = new FakeClock(0);
        Pacer pacer = new Pacer(clock, 1000, 0);
        assertThat(pacer.next(() -> false)).isZero();

        clock.advance(50 * MS); // a send blocked for 50 ms
        for (int k = 1; k <= 50; k++) {
            assertThat(pacer.next(() -> false)).isEqualTo(k * MS);
            assertThat(clock.nanoTime()).as("catching up: no waiting").isEqualTo(50 * MS);
        }
        assertThat(pacer.next(() -> false)).isEqualTo(51 * MS);
        assertThat(clock.nanoTime()).isEqualTo(51 * MS);
    }

    @Test
    void next_withAFractionalInterval_doesNotDrift() throws Exception {
        FakeClock clock = new FakeClock(0);
        Pacer pacer = new Pacer(clock, 3, 0); // 333,333,333.3 ns apart
        long last = 0;
        for (int k = 0; k <= 300; k++) last = pacer.next(() -> false);
        assertThat(last).isEqualTo(100_000_000_000L);
    }

    @Test
    void next_unpaced_returnsTheCurrentTimeWithoutWaiting() throws Exception {
        FakeClock clock = new FakeClock(7);
        Pacer pacer = new Pacer(clock, 0, 0);
        assertThat(pacer.paced()).isFalse();
        assertThat(pacer.next(() -> false)).isEqualTo(7);
        clock.advance(3);
        assertThat(pacer.next(() -> false)).isEqualTo(10);
    }

    @Test
    void next_whenStoppedWhileWaiting_returnsStopped() throws Exception {
        FakeClock clock = new FakeClock(0);
        Pacer pacer = new Pacer(clock, 0.001, 0); // one message every 1,000 s
        pacer.next(() -> false);
        assertThat(pacer.next(() -> true)).isEqualTo(Pacer.STOPPED);
    }

    @Test
    void constructor_withANegativeRate_fails() {
        assertThatThrownBy(() -> new Pacer(new FakeClock(0), -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
