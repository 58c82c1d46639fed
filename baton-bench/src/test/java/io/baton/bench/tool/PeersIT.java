package io.baton.bench.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The nats and rabbitmq peers, and Baton on {@code nats://}, against the servers on this machine:
 * every workload, small. Skips with the reason where a server is not reachable, unless
 * {@code BATON_REQUIRE_SERVERS=1}.
 */
class PeersIT {
    private static final String NATS = System.getenv().getOrDefault("BATON_NATS_URL", "nats://127.0.0.1:4222");
    private static final String AMQP = System.getenv().getOrDefault("BATON_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672");

    private static void requireReachable(BenchSystem system) {
        try {
            system.probe();
        } catch (Exception e) {
            String reason = system.name() + " is not reachable: " + Progress.reason(e);
            if ("1".equals(System.getenv("BATON_REQUIRE_SERVERS"))) fail(reason);
            Assumptions.abort(reason);
        }
    }

    private static void runsClean(BenchSpec spec, BenchSystem... systems) {
        for (BenchSystem s : systems) requireReachable(s);
        StringWriter out = new StringWriter();
        Bench.Outcome o = Bench.run(spec, List.of(systems), List.of(), "PeersIT",
                new Progress(new PrintWriter(out, true), false, spec.workload()), NanoClock.SYSTEM);
        assertThat(o.skipped()).isEmpty();
        for (SystemResult r : o.results()) {
            assertThat(r.failures()).as("%s: %s", r.label(), out).isEmpty();
            assertThat(r.rounds().get(1).latencyNanos().getTotalCount()).as(r.label()).isEqualTo(spec.count() * spec.fanout());
            assertThat(r.medianRate()).isPositive();
        }
    }

    @ParameterizedTest
    @CsvSource({"QUEUE,false", "QUEUE,true", "PUBSUB,false", "PUBSUB,true", "RPC,false"})
    void nats_runsEveryWorkload(Workload workload, boolean durable) {
        runsClean(new BenchSpec(workload, 64, 300, null, Duration.ZERO, 2, 2, 0, durable, 1, 100), new JnatsPeer(NATS));
    }

    @ParameterizedTest
    @CsvSource({"QUEUE,false", "QUEUE,true", "PUBSUB,false", "PUBSUB,true", "RPC,false"})
    void rabbitmq_runsEveryWorkload(Workload workload, boolean durable) {
        runsClean(new BenchSpec(workload, 64, 300, null, Duration.ZERO, 2, 2, 0, durable, 1, 100), new RabbitMqPeer(AMQP));
    }

    @Test
    void batonOnNats_queue_runsBesideJetStream() {
        runsClean(new BenchSpec(Workload.QUEUE, 128, 300, null, Duration.ZERO, 1, 1, 0, true, 1, 100), new BatonTarget(NATS), new JnatsPeer(NATS));
    }
}
