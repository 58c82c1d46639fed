package io.baton.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.Baton;
import io.baton.BatonClosedException;
import io.baton.BatonException;
import io.baton.CallOptions;
import io.baton.ConnectOptions;
import io.baton.DeadlineExceededException;
import io.baton.PayloadTooLargeException;
import io.baton.server.BatonServer;
import io.baton.server.ServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Blocking calls from platform threads on connections of their own ({@link CallLane}): what the
 * caller sees is what it sees through the shared connection, and the lanes come and go with the
 * server and the client.
 */
class CallLaneTest {
    private BatonServer server;
    private int port;

    @BeforeEach
    void start() {
        startServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void startServer() {
        server = BatonServer.start(ServerOptions.builder().port(port).storage("mem:").maxPayloadBytes(64 << 20).build());
        port = server.port();
    }

    /**
     * Makes two calls, the second of which opens a lane in the background (a call never waits for
     * one), and waits until the server has {@code connections}: from then on the lane is idle for
     * the next call.
     */
    private void openALane(Baton client, int connections) {
        for (int i = 0; i < 2; i++) assertThat(client.call("lane.echo", "open a lane", String.class)).isEqualTo("open a lane");
        awaitConnections(connections);
    }

    private String url(String params) {
        return "baton://127.0.0.1:" + port + (params.isEmpty() ? "" : "?" + params);
    }

    private void awaitConnections(int n) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.connectionCount()).isEqualTo(n));
    }

    @Test
    void aCallFromAPlatformThread_goesOnAConnectionOfItsOwn_oneFromAVirtualThreadDoesNot() throws Exception {
        try (Baton client = Baton.connect(url(""))) {
            client.serve("lane.echo", String.class, s -> s);
            awaitConnections(1);
            Thread virtual = Thread.ofVirtual().start(() -> assertThat(client.call("lane.echo", "v", String.class)).isEqualTo("v"));
            virtual.join(10_000);
            awaitConnections(1);
            assertThat(client.call("lane.echo", "p", String.class)).isEqualTo("p"); // through the shared one
            assertThat(client.call("lane.echo", "p2", String.class)).isEqualTo("p2"); // the second opens a lane
            awaitConnections(2);
            for (int i = 0; i < 10; i++) assertThat(client.call("lane.echo", "again " + i, String.class)).isEqualTo("again " + i);
            awaitConnections(2); // the same lane, taken again and again
        }
        awaitConnections(0); // closing the client closed its lane too
    }

    @Test
    void withCallConnectionsZero_everyCallGoesThroughTheSharedConnection() {
        try (Baton client = Baton.connect(url("callConnections=0"))) {
            client.serve("lane.echo", String.class, s -> s);
            for (int i = 0; i < 5; i++) assertThat(client.call("lane.echo", "p" + i, String.class)).isEqualTo("p" + i);
            // with lanes, these calls would have opened one by now, or within moments
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 1);
        }
    }

    @Test
    void callConnections_outOfRange_isRefusedWithTheReason() {
        assertThatThrownBy(() -> Baton.connect(url("callConnections=-1")))
                .isInstanceOf(BatonException.class).hasMessageContaining("callConnections='-1' is not a whole number of at least 0");
        assertThatThrownBy(() -> Baton.connect(url("callConnections=65")))
                .isInstanceOf(BatonException.class).hasMessageContaining("callConnections=65 is more than 64");
    }

    @Test
    void afterTheServerRestarts_theNextCallOpensANewLane_ratherThanFailingOnTheOldOne() {
        try (Baton client = Baton.connect(url("callConnections=1"))) {
            client.serve("lane.echo", String.class, s -> s);
            client.serve("lane.slow", String.class, s -> {
                Thread.sleep(5_000);
                return s;
            });
            openALane(client, 2);
            // given up: the server's answer to the cancel waits, unread, on the lane
            assertThatThrownBy(() -> client.call("lane.slow", "x", String.class, CallOptions.timeout(Duration.ofMillis(50))))
                    .isInstanceOf(DeadlineExceededException.class);
            server.close();
            startServer(); // same port: the shared connection reconnects and serves again
            try (Baton other = Baton.connect(url("callConnections=0"))) {
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> other.call("lane.echo", "probe", String.class, CallOptions.timeout(Duration.ofSeconds(1))).equals("probe"));
            }
            // the old lane's server is gone: this call must not be lost on it
            assertThat(client.call("lane.echo", "after", String.class)).isEqualTo("after");
            openALane(client, 2); // and a new lane comes
        }
    }

    @Test
    void aCallGivenUpAtItsDeadline_leavesTheLaneToTheNextCall_whichGetsItsOwnAnswer() {
        try (Baton client = Baton.connect(url("callConnections=1"))) {
            client.serve("lane.slow", String.class, s -> {
                Thread.sleep(300);
                return "late " + s;
            });
            client.serve("lane.echo", String.class, s -> s);
            openALane(client, 2);
            assertThatThrownBy(() -> client.call("lane.slow", "a", String.class, CallOptions.timeout(Duration.ofMillis(100))))
                    .isInstanceOf(DeadlineExceededException.class);
            // the server's answer to the call given up may come while the next call waits: it is skipped
            for (int i = 0; i < 20; i++) assertThat(client.call("lane.echo", "next " + i, String.class)).isEqualTo("next " + i);
            awaitConnections(2);
        }
    }

    @Test
    void interruptingACaller_cancelsTheHandler_andTheClientGoesOn() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch handlerInterrupted = new CountDownLatch(1);
        try (Baton client = Baton.connect(url("callConnections=1"))) {
            client.serve("lane.block", String.class, s -> {
                handling.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    handlerInterrupted.countDown();
                    throw e;
                }
                return s;
            });
            client.serve("lane.echo", String.class, s -> s);
            openALane(client, 2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    client.call("lane.block", "x", String.class);
                } catch (RuntimeException e) {
                    failure.set(e);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();
            caller.interrupt();
            caller.join(10_000);
            assertThat(failure.get()).isInstanceOf(BatonException.class).hasMessageContaining("interrupted");
            assertThat(stillInterrupted.get()).as("the caller's interrupt is kept").isTrue();
            assertThat(handlerInterrupted.await(10, TimeUnit.SECONDS)).as("the server side was cancelled").isTrue();
            assertThat(client.call("lane.echo", "after", String.class)).isEqualTo("after");
        }
    }

    @Test
    void closingTheClient_failsACallWaitingOnALane() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        Baton server = Baton.connect(url(""));
        try {
            server.serve("lane.block", String.class, s -> {
                handling.countDown();
                Thread.sleep(60_000);
                return s;
            });
            server.serve("lane.echo", String.class, s -> s);
            Baton client = Baton.connect(url(""));
            openALane(client, 3); // the server's connection, the client's, and the client's lane
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    client.call("lane.block", "x", String.class);
                } catch (RuntimeException e) {
                    failure.set(e);
                }
            });
            assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();
            client.close();
            caller.join(10_000);
            assertThat(caller.isAlive()).isFalse();
            assertThat(failure.get()).isInstanceOf(BatonClosedException.class);
        } finally {
            server.close();
        }
    }

    @Test
    void moreCallersThanLanes_areAllAnswered_theRestThroughTheSharedConnection() throws Exception {
        try (Baton client = Baton.connect(url("callConnections=2"))) {
            client.serve("lane.wait", String.class, s -> {
                Thread.sleep(20);
                return "done " + s;
            });
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                for (int burst = 0; burst < 10; burst++) {
                    List<Future<String>> answers = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        String body = "c" + burst + "." + i;
                        answers.add(callers.submit(() -> client.call("lane.wait", body, String.class)));
                    }
                    for (int i = 0; i < 8; i++) assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("done c" + burst + "." + i);
                    assertThat(server.connectionCount()).as("the shared connection and at most two lanes").isLessThanOrEqualTo(3);
                }
                awaitConnections(3); // both lanes were opened, one at a time, for callers that found none idle
            } finally {
                callers.shutdownNow();
            }
        }
    }

    /** A client that sends what the server takes (64 MiB), where the default is 1 MiB. */
    private Baton largeClient(String params) {
        return Baton.connect(url(params), ConnectOptions.builder().maxPayloadBytes(128 << 20).build());
    }

    @Test
    void aCallCutOffWhileItsRequestWasBeingWritten_closesItsLane_andTheNextCallsAreAnswered() {
        try (Baton client = largeClient("callConnections=1")) {
            client.serve("lane.echo", String.class, s -> s);
            openALane(client, 2);
            byte[] large = new byte[32 << 20]; // takes longer to write than its deadline
            // the deadline comes at a different point of the write each time; a cancel written into
            // the middle of the request would make the server read the next calls as its payload
            for (int millis : new int[] {1, 2, 3, 5, 8, 13, 21, 34}) {
                assertThatThrownBy(() -> client.call("lane.echo", large, byte[].class, CallOptions.timeout(Duration.ofMillis(millis))))
                        .isInstanceOf(DeadlineExceededException.class);
                for (int i = 0; i < 3; i++) {
                    assertThat(client.call("lane.echo", "next " + i, String.class, CallOptions.timeout(Duration.ofSeconds(5)))).isEqualTo("next " + i);
                }
                openALane(client, 2); // the lane was closed: the next call opened another
            }
        }
    }

    @Test
    void aRequestOverTheServersLimit_isRefusedTyped_beforeItIsSent() {
        try (Baton client = largeClient("callConnections=1")) {
            client.serve("lane.echo", String.class, s -> s);
            openALane(client, 2);
            assertThatThrownBy(() -> client.call("lane.echo", new byte[(64 << 20) + 1], byte[].class))
                    .isInstanceOf(PayloadTooLargeException.class).hasMessageContaining("over the server's limit of 67108864 bytes");
            assertThat(client.call("lane.echo", "still", String.class)).isEqualTo("still");
            awaitConnections(2);
        }
    }

    @Test
    void aCallWithTheLongestTimeout_works() {
        try (Baton client = Baton.connect(url("callConnections=1"))) {
            client.serve("lane.echo", String.class, s -> s);
            openALane(client, 2);
            assertThat(client.call("lane.echo", "x", String.class, CallOptions.timeout(Duration.ofMillis(Long.MAX_VALUE)))).isEqualTo("x");
        }
    }

    @Test
    void aCallGivenUpThroughTheSharedConnection_doesNotFailTheNextPublish() {
        try (Baton client = Baton.connect(url("callConnections=0"))) {
            client.serve("lane.slow", String.class, s -> {
                Thread.sleep(5_000);
                return s;
            });
            assertThatThrownBy(() -> client.call("lane.slow", "x", String.class, CallOptions.timeout(Duration.ofMillis(50))))
                    .isInstanceOf(DeadlineExceededException.class);
            // a round trip after the cancel: the server's answer to it has come by the time this returns
            client.queue("lane.q", String.class).send("after");
            client.topic("lane.t", String.class).publish("one");
            client.topic("lane.t", String.class).publish("two"); // a failure of the first would be thrown here
        }
    }
}
