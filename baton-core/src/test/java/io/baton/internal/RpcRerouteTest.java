package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.Baton;
import io.baton.CallOptions;
import io.baton.ConnectOptions;
import io.baton.Headers;
import io.baton.NoRespondersException;
import io.baton.internal.mem.MemBackendProvider;
import io.baton.spi.Backend;
import io.baton.spi.Envelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * A server that is stopping still gets calls until its broker hears it has gone, and refuses them
 * unstarted (a reply of kind {@code no-server}). Such a call goes to the subject's other servers
 * within its deadline; it fails with {@link NoRespondersException} only when none takes it.
 */
class RpcRerouteTest {

    /** Registers on {@code backend} a server of {@code subject} that refuses every call as a stopping one does; returns what it saw. */
    private static ConcurrentLinkedQueue<Envelope> stoppingServer(Backend backend, String subject) {
        ConcurrentLinkedQueue<Envelope> seen = new ConcurrentLinkedQueue<>();
        backend.rpc().serve(subject, (request, reply) -> {
            seen.add(request);
            reply.send(Envelope.rpcError(subject, "no-server", NoRespondersException.class.getName(), "'" + subject + "' is stopping here"));
        });
        return seen;
    }

    @Test
    void aCallRefusedByAStoppingServer_isAnsweredByAnotherServerOfTheSubject() {
        Backend backend = new MemBackendProvider().open("mem:");
        try (Baton baton = new BackendBaton(backend, ConnectOptions.defaults())) {
            ConcurrentLinkedQueue<Envelope> refused = stoppingServer(backend, "echo");
            baton.serve("echo", String.class, s -> "echo " + s);
            for (int i = 0; i < 10; i++) {
                assertThat(baton.call("echo", "b" + i, String.class, CallOptions.timeout(Duration.ofSeconds(5)))).isEqualTo("echo b" + i);
            }
            List<CompletableFuture<String>> async = new ArrayList<>();
            for (int i = 0; i < 10; i++) async.add(baton.callAsync("echo", "a" + i, String.class));
            for (int i = 0; i < 10; i++) assertThat(async.get(i)).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("echo a" + i);
            // round robin over the two servers: about every other first attempt met the stopping one
            assertThat(refused).hasSizeGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void aCallWhoseOnlyServerIsStopping_failsWithNoResponders_afterAFewBoundedAttempts() {
        Backend backend = new MemBackendProvider().open("mem:");
        try (Baton baton = new BackendBaton(backend, ConnectOptions.defaults())) {
            ConcurrentLinkedQueue<Envelope> refused = stoppingServer(backend, "gone");
            assertThatThrownBy(() -> baton.call("gone", "x", String.class))
                    .isInstanceOf(NoRespondersException.class).hasMessageContaining("is stopping here");
            assertThat(refused).hasSize(5); // the call and four more attempts
            // each attempt carries what is left of the call's budget: 5 s less the pauses (0, 1, 2 and 4 ms) at least
            List<Long> budgets = refused.stream().map(r -> Long.parseLong(r.headers().get(Headers.RPC_TIMEOUT_MS))).toList();
            assertThat(budgets.getFirst()).isEqualTo(5_000L);
            assertThat(budgets).isSortedAccordingTo(java.util.Comparator.reverseOrder());
            assertThat(budgets.getLast()).isLessThanOrEqualTo(4_993L);

            refused.clear();
            assertThat(baton.callAsync("gone", "x", String.class)).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(NoRespondersException.class);
            assertThat(refused).hasSize(5);
        }
    }

    @Test
    void aCallGivenUpDuringThePauseAfterARefusal_isNotSentAgain() {
        Backend backend = new MemBackendProvider().open("mem:");
        try {
            ConcurrentLinkedQueue<Envelope> refused = stoppingServer(backend, "paused");
            RpcClient client = new RpcClient(backend.rpc(), JsonCodec.INSTANCE, Duration.ofSeconds(5), refusal -> 300);
            CompletableFuture<byte[]> call = client.callAsync("paused", new byte[] {1}, java.util.Map.of(), CallOptions.defaults(), b -> b);
            await().atMost(Duration.ofSeconds(5)).until(() -> refused.size() == 1);
            call.cancel(true); // inside the 300 ms pause before the second attempt
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> refused.size() == 1);
            assertThat(call).isCancelled();
        } finally {
            backend.close();
        }
    }

    @Test
    void cancellingACallThatWasSentAgain_cancelsTheServerThatHasIt() {
        Backend backend = new MemBackendProvider().open("mem:");
        try (Baton baton = new BackendBaton(backend, ConnectOptions.defaults())) {
            ConcurrentLinkedQueue<Envelope> refused = stoppingServer(backend, "hold"); // first in mem:'s round robin
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
            baton.serve("hold", String.class, s -> {
                started.countDown();
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                }
                return "late";
            });
            CompletableFuture<String> call = baton.callAsync("hold", "x", String.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> started.getCount() == 0);
            assertThat(refused).as("the handler has the call's second attempt").hasSize(1);
            call.cancel(true);
            await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
        }
    }

    @Test
    void theDeadlineBoundsTheAttempts() {
        Backend backend = new MemBackendProvider().open("mem:");
        try (Baton baton = new BackendBaton(backend, ConnectOptions.defaults())) {
            ConcurrentLinkedQueue<Envelope> refused = stoppingServer(backend, "soon");
            // 2 ms leave room for the first attempts (pauses 0 and 1 ms), never for all five
            assertThatThrownBy(() -> baton.call("soon", "x", String.class, CallOptions.timeout(Duration.ofMillis(2))))
                    .isInstanceOf(NoRespondersException.class);
            assertThat(refused).hasSizeBetween(1, 4);
            refused.clear();
            CompletableFuture<String> async = baton.callAsync("soon", "x", String.class, CallOptions.timeout(Duration.ofMillis(2)));
            assertThat(async).failsWithin(Duration.ofSeconds(10));
            assertThat(refused).hasSizeBetween(1, 4);
        }
    }
}
