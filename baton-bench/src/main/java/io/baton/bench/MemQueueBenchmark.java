package io.baton.bench;

import io.baton.Baton;
import io.baton.Queue;
import io.baton.QueueOptions;
import io.baton.Subscription;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@code mem:} queue hand-off, one producer and one consumer, 128-byte {@code byte[]} messages,
 * side by side with the same hand-off through an {@link ArrayBlockingQueue} between two threads.
 * DESIGN.md's goal: Baton at least 0.5x the messages per second of {@code ArrayBlockingQueue}.
 *
 * <p>Both variants do exactly the same: the JMH thread is the producer; one invocation sends
 * {@value #BATCH} messages and then waits (parked, not spinning) until the consumer has taken all
 * of them, so the score is end-to-end messages <em>consumed</em> per second, not sends buffered.
 * Both queues hold at most {@value #CAPACITY} messages and block the sender when full; a batch
 * fits, so neither variant measures its full-queue path. The consumer counts each message in a
 * shared {@link BatchLatch}, identical on both sides. The payload is one array, sent again and
 * again (Baton does not copy {@code byte[]} bodies).
 *
 * <p>The Baton consumer runs where Baton runs handlers, on a virtual thread. The
 * {@code ArrayBlockingQueue} consumer is a platform thread, the usual hand-off; run with
 * {@code -p abqConsumer=platform,virtual} to see how much of a gap is the virtual thread itself.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class MemQueueBenchmark {

    /** Messages per benchmark invocation: the producer waits for the consumer once per batch. */
    static final int BATCH = 1000;
    /** Bound of both queues, in messages. */
    static final int CAPACITY = 1024;
    static final int MESSAGE_SIZE = 128;

    static byte[] payload() {
        byte[] payload = new byte[MESSAGE_SIZE];
        ThreadLocalRandom.current().nextBytes(payload);
        return payload;
    }

    @State(Scope.Benchmark)
    public static class BatonQueue {
        final byte[] payload = payload();
        final BatchLatch latch = new BatchLatch(MESSAGE_SIZE);
        Baton baton;
        Queue<byte[]> queue;
        Subscription consumer;

        @Setup(Level.Trial)
        public void start() {
            baton = Baton.connect("mem:");
            queue = baton.queue("bench.queue", byte[].class, QueueOptions.builder().maxLength(CAPACITY).build());
            consumer = queue.consume(latch::consumed);
        }

        @TearDown(Level.Trial)
        public void stop() {
            consumer.close();
            baton.close();
            latch.check();
        }
    }

    @State(Scope.Benchmark)
    public static class AbqQueue {
        /** Which kind of thread takes from the queue. */
        @Param({"platform"})
        public String abqConsumer;

        final byte[] payload = payload();
        final BatchLatch latch = new BatchLatch(MESSAGE_SIZE);
        final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
        Thread consumer;

        @Setup(Level.Trial)
        public void start() {
            Thread.Builder builder = switch (abqConsumer) {
                case "platform" -> Thread.ofPlatform().daemon(true);
                case "virtual" -> Thread.ofVirtual();
                default -> throw new IllegalArgumentException("abqConsumer must be platform or virtual: " + abqConsumer);
            };
            consumer = builder.name("abq-consumer").start(this::consume);
        }

        private void consume() {
            try {
                while (true) {
                    latch.consumed(queue.take());
                }
            } catch (InterruptedException stop) {
                // tear-down
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            consumer.interrupt();
            consumer.join();
            latch.check();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baton(BatonQueue s) {
        s.latch.expect(BATCH);
        for (int i = 0; i < BATCH; i++) {
            s.queue.send(s.payload);
        }
        s.latch.await();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void arrayBlockingQueue(AbqQueue s) throws InterruptedException {
        s.latch.expect(BATCH);
        for (int i = 0; i < BATCH; i++) {
            s.queue.put(s.payload);
        }
        s.latch.await();
    }
}
