package io.baton.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole loop, small, in this JVM: Baton on mem: against the jdk peer, and a peer that is not there. */
class BenchTest {
    @Test
    void run_measuresEverySystemInAlternatingRounds_andSkipsAnUnreachablePeerWithTheReason() {
        BenchSpec spec = new BenchSpec(Workload.QUEUE, 64, 500, null, Duration.ZERO, 2, 2, 0, false, 2, 100);
        StringWriter out = new StringWriter();

        Bench.Outcome o = Bench.run(spec, List.of(new BatonTarget("mem:"), new ArrayBlockingQueuePeer(),
                        new RabbitMqPeer("amqp://guest:guest@127.0.0.1:1")), List.of(), "test",
                new Progress(new PrintWriter(out, true), false, spec.workload()), NanoClock.SYSTEM);

        assertThat(o.skipped()).containsOnlyKeys("rabbitmq");
        assertThat(o.skipped().get("rabbitmq")).startsWith("cannot connect to amqp://guest:***@127.0.0.1:1");
        assertThat(o.results()).extracting(SystemResult::name).containsExactly("baton", "jdk");
        for (SystemResult r : o.results()) {
            assertThat(r.failures()).isEmpty();
            assertThat(r.rounds()).containsOnlyKeys(1, 2);
            assertThat(r.medianRate()).isPositive();
            assertThat(r.rounds().get(1).latencyNanos().getTotalCount()).as("every measured message has a latency").isEqualTo(500);
        }
        assertThat(out.toString()).contains("skipped rabbitmq: cannot connect")
                .containsSubsequence("round 1/2  baton mem:", "round 1/2  jdk", "round 2/2  baton mem:", "round 2/2  jdk");
    }

    @Test
    void run_rpcAndPubsub_atAFixedRate_completeTheirCount() {
        for (Workload w : List.of(Workload.RPC, Workload.PUBSUB)) {
            BenchSpec spec = new BenchSpec(w, 16, 200, null, Duration.ofMillis(100), 1, 2, 2000, false, 1, 50);
            Bench.Outcome o = Bench.run(spec, List.of(new BatonTarget("mem:"), new ArrayBlockingQueuePeer()), List.of(), "test",
                    new Progress(new PrintWriter(new StringWriter()), false, w), NanoClock.SYSTEM);
            for (SystemResult r : o.results()) {
                assertThat(r.failures()).as("%s %s", w, r.name()).isEmpty();
                assertThat(r.rounds().get(1).latencyNanos().getTotalCount()).isEqualTo(200L * spec.fanout());
            }
        }
    }
}
