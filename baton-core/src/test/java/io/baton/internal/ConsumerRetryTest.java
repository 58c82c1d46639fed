package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.baton.Baton;
import io.baton.ConnectOptions;
import io.baton.ConnectionLostException;
import io.baton.ConsumeOptions;
import io.baton.QueueOptions;
import io.baton.QueueStats;
import io.baton.Subscription;
import io.baton.internal.mem.MemBackendProvider;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.Delivery;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import io.baton.spi.RpcChannel;
import io.baton.spi.TopicChannel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A consumer whose source keeps failing (a connection failed for good, say) asks it again with a
 * growing pause, not in a loop that takes a core, and still stops at once when closed.
 */
class ConsumerRetryTest {

    /** mem: for everything but its queues, which all fail to receive. */
    private static final class FailingQueues implements Backend {
        private final Backend mem = new MemBackendProvider().open("mem:");
        final AtomicInteger receives = new AtomicInteger();

        @Override public Set<Capability> capabilities() { return mem.capabilities(); }
        @Override public TopicChannel topics() { return mem.topics(); }
        @Override public RpcChannel rpc() { return mem.rpc(); }
        @Override public void close() { mem.close(); }

        @Override
        public QueueChannel queue(String name, QueueOptions options) {
            return new QueueChannel() {
                @Override public String name() { return name; }
                @Override public CompletableFuture<Void> send(Envelope envelope, long deliverAtMillis) { return CompletableFuture.completedFuture(null); }
                @Override public QueueStats stats() { return mem.queue(name, options).stats(); }
                @Override public void ack(long token) { }
                @Override public void nack(long token, Duration delay) { }
                @Override public void release(long token) { }
                @Override public boolean extend(long token, Duration lease) { return false; }

                @Override
                public List<Delivery> receive(int max, Duration wait, Duration lease) {
                    receives.incrementAndGet();
                    throw new ConnectionLostException("the connection failed for good");
                }
            };
        }
    }

    @Test
    void aSourceThatKeepsFailing_isAskedAgainAfterGrowingPauses_andTheConsumerStillClosesAtOnce() {
        FailingQueues backend = new FailingQueues();
        try (Baton baton = new BackendBaton(backend, ConnectOptions.defaults())) {
            Subscription consumer = baton.queue("q", String.class).consume(s -> { }, ConsumeOptions.builder().concurrency(1).build());
            // pauses of 50, 100, 200, 400, 800 and 1,600 ms: the seventh receive comes after about 3 s
            await().atMost(Duration.ofSeconds(30)).until(() -> backend.receives.get() >= 7);
            assertThat(backend.receives.get()).as("receives in about 3 s; a loop without pauses makes thousands").isLessThan(12);
            // the worker now waits 3.2 s before it asks again: closing interrupts that wait
            assertTimeoutPreemptively(Duration.ofSeconds(2), consumer::close);
            assertThat(consumer.isActive()).isFalse();
        }
    }
}
