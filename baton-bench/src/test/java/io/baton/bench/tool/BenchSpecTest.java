package io.baton.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchSpecTest {
    private static final Duration TEN = Duration.ofSeconds(10);
    private static final Duration TWO = Duration.ofSeconds(2);

    @Test
    void valid_describesItself() {
        BenchSpec s = new BenchSpec(Workload.PUBSUB, 256, 5000, null, TWO, 2, 3, 1000, true, 1, 500);
        assertThat(s.counted()).isTrue();
        assertThat(s.fanout()).isEqualTo(3);
        assertThat(s.describe()).isEqualTo("256 B, 2 publishers, 3 subscribers, 1,000 msgs/s, window 500, 5,000 measured messages after 2s of warm-up, 1 round, durable");
        assertThat(new BenchSpec(Workload.RPC, 128, 0, TEN, TWO, 1, 1, 0, false, 3, 1000).describe())
                .isEqualTo("128 B, 1 caller, 1 server, as fast as possible, one call in flight per caller, 10s measured after 2s of warm-up, 3 rounds");
    }

    @Test
    void invalid_namesEachOptionToFix() {
        assertThatThrownBy(() -> new BenchSpec(Workload.QUEUE, 8, 0, TEN, TWO, 0, 1, -1, false, 0, 1000))
                .hasMessageContaining("--size must be from 16")
                .hasMessageContaining("--producers must be at least 1")
                .hasMessageContaining("--rate must be 0")
                .hasMessageContaining("--runs must be at least 1");
        assertThatThrownBy(() -> new BenchSpec(Workload.QUEUE, 128, 10, TEN, TWO, 1, 1, 0, false, 1, 1000))
                .hasMessageContaining("give --count or --duration, not both");
        assertThatThrownBy(() -> new BenchSpec(Workload.RPC, 128, 0, TEN, TWO, 1, 1, 0, true, 1, 1000))
                .hasMessageContaining("--durable applies to queue and pubsub, not to rpc");
        assertThatThrownBy(() -> new BenchSpec(Workload.QUEUE, 128, 0, Duration.ZERO, TWO, 1, 0, 0, false, 1, 0))
                .hasMessageContaining("--duration must be more than 0")
                .hasMessageContaining("--consumers must be at least 1")
                .hasMessageContaining("--window must be at least 1");
    }

    @Test
    void durations_parseAndFormat() {
        assertThat(Durations.parse("10s")).isEqualTo(TEN);
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("3")).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("'soon' is not a duration");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }

    @Test
    void workload_parsesItsNameInAnyCase() {
        assertThat(Workload.parse("PubSub")).isEqualTo(Workload.PUBSUB);
        assertThatThrownBy(() -> Workload.parse("stream")).hasMessage("the workload must be queue, pubsub or rpc, not 'stream'");
    }
}
