package io.baton.bench;

import io.baton.Baton;
import io.baton.Subscription;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * In-process RPC round trip on {@code mem:}: the JMH thread calls {@code bench.echo} with a
 * 128-byte {@code byte[]}, the server returns the same array, one call in flight.
 * {@link #roundTrip()} samples each call's latency (JMH prints p50, p90, p99, p99.9);
 * {@link #roundTripThroughput()} counts calls per second. This is the in-process baseline of
 * DESIGN.md's {@code baton:} RPC row (p50 at most 0.5x NATS request/reply): whatever the
 * network adds comes on top of this.
 */
@State(Scope.Benchmark)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class MemRpcBenchmark {

    static final String SUBJECT = "bench.echo";

    private final byte[] payload = MemQueueBenchmark.payload();
    private Baton baton;
    private Subscription server;

    @Setup(Level.Trial)
    public void start() {
        baton = Baton.connect("mem:");
        server = baton.serve(SUBJECT, byte[].class, b -> b);
        byte[] reply = baton.call(SUBJECT, payload, byte[].class);
        if (reply.length != payload.length) {
            throw new IllegalStateException("echo returned " + reply.length + " B for " + payload.length + " B");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        server.close();
        baton.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] roundTrip() {
        return baton.call(SUBJECT, payload, byte[].class);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public byte[] roundTripThroughput() {
        return baton.call(SUBJECT, payload, byte[].class);
    }
}
