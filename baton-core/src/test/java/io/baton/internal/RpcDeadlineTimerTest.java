package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.Baton;
import io.baton.CallOptions;
import io.baton.ConnectOptions;
import io.baton.Context;
import io.baton.DeadlineExceededException;
import io.baton.Headers;
import io.baton.QueueOptions;
import io.baton.internal.mem.MemBackendProvider;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import io.baton.spi.RpcChannel;
import io.baton.spi.TopicChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** On a backend that cannot carry the caller's cancel, the server enforces the deadline itself. */
class RpcDeadlineTimerTest {

    /** mem: with its cancel path cut and RPC_CANCELLATION not declared. */
    static final class NoCancelBackend implements Backend {
        private final Backend mem = new MemBackendProvider().open("mem:");

        @Override
        public Set<Capability> capabilities() {
            Set<Capability> caps = EnumSet.copyOf(mem.capabilities());
            caps.remove(Capability.RPC_CANCELLATION);
            return caps;
        }

        @Override public QueueChannel queue(String name, QueueOptions options) { return mem.queue(name, options); }
        @Override public TopicChannel topics() { return mem.topics(); }
        @Override public void close() { mem.close(); }

        @Override
        public RpcChannel rpc() {
            RpcChannel inner = mem.rpc();
            return new RpcChannel() {
                @Override
                public AutoCloseable serve(String subject, RequestHandler handler) {
                    return inner.serve(subject, (request, reply) -> handler.onRequest(request, new Reply() {
                        @Override public void send(io.baton.spi.Envelope response) { reply.send(response); }
                        @Override public void onCancel(Runnable hook) { /* this backend never tells */ }
                    }));
                }

                @Override
                public CompletableFuture<io.baton.spi.Envelope> request(io.baton.spi.Envelope request, Duration timeout) {
                    return inner.request(request, timeout);
                }
            };
        }
    }

    @Test
    void serve_onABackendWithoutCancellation_interruptsTheHandlerAtTheDeadline() {
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean cancelledSeen = new AtomicBoolean();
        try (Baton baton = new BackendBaton(new NoCancelBackend(), ConnectOptions.defaults())) {
            baton.serve("slow.op", String.class, s -> {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    cancelledSeen.set(Context.current().isCancelled());
                    interrupted.set(true);
                }
                return "late";
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> baton.call("slow.op", "x", String.class, CallOptions.timeout(Duration.ofMillis(200))))
                    .isInstanceOf(DeadlineExceededException.class);
            await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
            assertThat(cancelledSeen).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aHandlerThatThrowsWhenInterruptedAtTheDeadline_isAnsweredAsPastItsDeadline_notWithTheInterrupt() throws Exception {
        NoCancelBackend backend = new NoCancelBackend();
        try (Baton baton = new BackendBaton(backend, ConnectOptions.defaults())) {
            baton.serve("slow.throws", String.class, s -> {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted", e); // what a handler that does not catch it looks like
                }
                return "late";
            });
            // the server's budget (100 ms) runs out long before this request's own wait (10 s)
            Envelope request = new Envelope("slow.throws", null, null, Map.of(Headers.RPC_TIMEOUT_MS, "100"),
                    "\"x\"".getBytes(StandardCharsets.UTF_8), System.currentTimeMillis());
            Envelope reply = backend.rpc().request(request, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
            assertThat(reply.headers()).containsEntry(Headers.RPC_ERROR_KIND, "deadline")
                    .containsEntry(Headers.RPC_ERROR_TYPE, "io.baton.DeadlineExceededException");
        }
    }
}
