package io.baton.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.Baton;
import io.baton.ConnectionLostException;
import io.baton.ConsumeOptions;
import io.baton.Message;
import io.baton.SubscribeOptions;
import io.baton.server.BatonServer;
import io.baton.server.ServerOptions;
import io.baton.tck.Recorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client that loses its server reconnects with backoff and restores its consumers, subscriptions and functions. */
class ReconnectTest {
    @TempDir
    Path dir;
    private BatonServer server;
    private int port;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private void startServer() {
        server = BatonServer.start(ServerOptions.builder().port(port).storage("file:" + dir).build());
        port = server.port();
    }

    @Test
    void afterTheServerRestarts_consumersSubscriptionsAndFunctionsGoOn_andUnackedWorkComesAgain() throws Exception {
        startServer();
        String url = "baton://127.0.0.1:" + port;
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recorder<String> consumed = new Recorder<>();
        Recorder<Integer> attemptsOfFirst = new Recorder<>();
        Recorder<String> published = new Recorder<>();
        Recorder<String> durable = new Recorder<>();
        try (Baton client = Baton.connect(url)) {
            client.queue("re.q", String.class).consumeMessages((Message<String> m) -> {
                if (m.body().equals("first")) {
                    attemptsOfFirst.add(m.attempt());
                    if (m.attempt() == 1) {
                        holding.countDown();
                        release.await(); // still holding it when the server goes away
                    }
                }
                consumed.add(m.body());
            }, ConsumeOptions.defaults());
            client.topic("re.events.*", String.class).subscribe(published::add);
            client.topic("re.durable", String.class).subscribe(durable::add, SubscribeOptions.durable("re-d"));
            client.serve("re.svc", String.class, s -> "served " + s);

            try (Baton other = Baton.connect(url)) {
                other.queue("re.q", String.class).send("first");
            }
            assertThat(holding.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            server.close(); // the server goes away with "first" delivered and not acked
            assertThatThrownBy(() -> client.queue("re.q", String.class).send("while down"))
                    .isInstanceOf(ConnectionLostException.class);
            startServer(); // same port, same storage
            release.countDown();

            try (Baton other = Baton.connect(url)) {
                other.queue("re.q", String.class).send("second");
                other.topic("re.durable", String.class).publish("kept for re-d");
                // ephemeral: published again until the restored subscription is there to see it
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    other.topic("re.events.x", String.class).publish("after restart");
                    return published.size() > 0;
                });
                assertThat(other.call("re.svc", "you", String.class)).isEqualTo("served you");
            }
            assertThat(consumed.awaitContains("second")).contains("first");
            assertThat(attemptsOfFirst.awaitSize(2)).as("the unacked delivery came again, counted").containsExactly(1, 2);
            assertThat(durable.awaitSize(1)).containsExactly("kept for re-d");
            client.queue("re.q", String.class).send("after reconnect");
            consumed.awaitContains("after reconnect");
        }
    }
    /**
     * A server that goes away with a reset (RST, as when it closes with bytes unread) rather than
     * an orderly close: the client reconnects all the same. The server here is a socket that
     * speaks the protocol by hand, so the reset is certain.
     */
    @Test
    void aConnectionResetByTheServer_isReconnectedLikeAnyLostConnection() throws Exception {
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(15_000);
            java.util.concurrent.CompletableFuture<Baton> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Baton.connect("baton://127.0.0.1:" + listener.getLocalPort() + "?callConnections=0"));
            java.net.Socket first = listener.accept();
            new ByHand(first).welcome(1 << 20);
            Baton client = connecting.get(10, java.util.concurrent.TimeUnit.SECONDS);
            try {
                first.setSoLinger(true, 0);
                first.close(); // RST, not FIN
                try (java.net.Socket second = listener.accept()) { // times out (and fails) if the client gave up
                    new ByHand(second).welcome(1 << 20); // the client's HELLO, logging in again
                }
            } finally {
                client.close();
            }
        }
    }
    /** A socket that accepts connections on loopback, giving up on one after 15 s. */
    private static java.net.ServerSocket byHandListener() throws java.io.IOException {
        java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        listener.setSoTimeout(15_000);
        return listener;
    }

    /** What a by-hand server does next, on the socket that accepts the client's connections. */
    @FunctionalInterface
    private interface Script {
        void play(java.net.ServerSocket listener) throws Exception;
    }

    /** Connects a client to a by-hand server, which welcomes it, closes that first connection, and then plays {@code next}. */
    private static void afterTheFirstConnectionCloses(Script next) throws Exception {
        try (java.net.ServerSocket listener = byHandListener()) {
            java.util.concurrent.CompletableFuture<Baton> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Baton.connect("baton://127.0.0.1:" + listener.getLocalPort() + "?callConnections=0"));
            Baton client;
            try (java.net.Socket first = listener.accept()) {
                new ByHand(first).welcome(1 << 20);
                client = connecting.get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            try {
                next.play(listener);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void aLoginThatFailsWhileReconnecting_isTriedAgainByOneLoop_notByOneMorePerFailure() throws Exception {
        afterTheFirstConnectionCloses(listener -> {
            try (java.net.Socket second = listener.accept()) {
                new ByHand(second).read(); // its HELLO, left unanswered: the login fails when the socket closes
            }
            try (java.net.Socket third = listener.accept()) {
                new ByHand(third).welcome(1 << 20);
                // logged in again: nothing else connects (each failed login used to start one more reconnect loop)
                listener.setSoTimeout(3_000);
                org.assertj.core.api.Assertions.assertThatThrownBy(listener::accept).isInstanceOf(java.net.SocketTimeoutException.class);
            }
        });
    }

    @Test
    void aServerFullOrShuttingDownWhileTheClientReconnects_isTriedAgain_notTheEndOfTheClient() throws Exception {
        for (io.baton.protocol.ErrorCode refusal : new io.baton.protocol.ErrorCode[] {
                io.baton.protocol.ErrorCode.TOO_MANY_CONNECTIONS, io.baton.protocol.ErrorCode.SHUTTING_DOWN}) {
            afterTheFirstConnectionCloses(listener -> {
                try (java.net.Socket second = listener.accept()) {
                    ByHand refusing = new ByHand(second);
                    // as the server does: at once, before it reads the client's HELLO
                    refusing.write(io.baton.protocol.Verb.ERROR, 0, f -> {
                        f.writeShort(refusal.code());
                        io.baton.protocol.FrameWriter.str(f, "refused by hand: " + refusal);
                    });
                }
                try (java.net.Socket third = listener.accept()) { // times out (and fails) if the client gave up
                    new ByHand(third).welcome(1 << 20);
                }
            });
        }
    }

    @Test
    void aConsumerOnAConnectionFailedForGood_hearsWhy_ratherThanGettingNothingAtOnceForever() throws Exception {
        try (java.net.ServerSocket listener = byHandListener()) {
            java.util.concurrent.CompletableFuture<ClientConnection> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> new ClientConnection("127.0.0.1", listener.getLocalPort(), ClientConnection.Credentials.NONE, Duration.ofSeconds(5)));
            try (java.net.Socket socket = listener.accept()) {
                ByHand server = new ByHand(socket);
                server.welcome(1 << 20);
                ClientConnection connection = connecting.get(10, java.util.concurrent.TimeUnit.SECONDS);
                try {
                    server.write(io.baton.protocol.Verb.ERROR, 0, f -> {
                        f.writeShort(io.baton.protocol.ErrorCode.MALFORMED.code());
                        io.baton.protocol.FrameWriter.str(f, "a frame this server could not read");
                    });
                    RemoteSource source = new RemoteSource(connection, io.baton.protocol.Verb.SOURCE_QUEUE, "q");
                    await().atMost(Duration.ofSeconds(10)).until(() -> {
                        try {
                            source.receive(1, Duration.ofMillis(100), Duration.ofSeconds(30));
                            return false; // not failed yet (the ERROR is on its way)
                        } catch (io.baton.ProtocolException e) {
                            return e.getMessage().contains("could not read");
                        }
                    });
                } finally {
                    connection.close();
                }
            }
        }
    }

    @Test
    void aSubscriptionTheServerCutOff_isClosedWithTheReason_andNotSubscribedAgainOnReconnect() throws Exception {
        try (java.net.ServerSocket listener = byHandListener()) {
            java.util.concurrent.CompletableFuture<Baton> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Baton.connect("baton://127.0.0.1:" + listener.getLocalPort() + "?callConnections=0"));
            java.net.Socket first = listener.accept();
            ByHand server = new ByHand(first);
            server.welcome(1 << 20);
            try (Baton client = connecting.get(10, java.util.concurrent.TimeUnit.SECONDS)) {
                java.util.concurrent.CompletableFuture<io.baton.Subscription> subscribing = java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> client.topic("cut.off", String.class).subscribe(s -> { }));
                java.nio.ByteBuffer subscribe = server.read();
                assertThat(Byte.toUnsignedInt(subscribe.get())).isEqualTo(io.baton.protocol.Verb.SUBSCRIBE);
                int stream = subscribe.getInt();
                server.write(io.baton.protocol.Verb.OK, stream, f -> { });
                io.baton.Subscription subscription = subscribing.get(10, java.util.concurrent.TimeUnit.SECONDS);

                server.write(io.baton.protocol.Verb.SUBSCRIPTION_CLOSED, stream, f -> {
                    f.writeShort(io.baton.protocol.ErrorCode.SLOW_CONSUMER.code());
                    io.baton.protocol.FrameWriter.str(f, "fell behind, by hand");
                });
                assertThat(subscription.closed()).failsWithin(Duration.ofSeconds(10))
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(io.baton.SlowConsumerException.class);
                assertThat(subscription.isActive()).isFalse();

                first.close(); // the client reconnects: what the server ended stays ended
                try (java.net.Socket second = listener.accept()) {
                    ByHand again = new ByHand(second);
                    again.welcome(1 << 20);
                    second.setSoTimeout(1_500);
                    assertThatThrownBy(again::read).as("no SUBSCRIBE restored").isInstanceOf(java.net.SocketTimeoutException.class);
                }
            }
        }
    }

    @Test
    void aServerThatRefusesTheFirstConnectAtOnce_failsTheConnectAtOnce_withItsReason() throws Exception {
        try (java.net.ServerSocket listener = byHandListener()) {
            java.util.concurrent.CompletableFuture<Baton> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Baton.connect("baton://127.0.0.1:" + listener.getLocalPort() + "?callConnections=0&connectTimeoutMillis=20000"));
            try (java.net.Socket socket = listener.accept()) {
                ByHand server = new ByHand(socket);
                server.write(io.baton.protocol.Verb.ERROR, 0, f -> { // before the HELLO, as the server does
                    f.writeShort(io.baton.protocol.ErrorCode.TOO_MANY_CONNECTIONS.code());
                    io.baton.protocol.FrameWriter.str(f, "the server has 1 connections, its limit (by hand)");
                });
                // an orderly close (FIN) that still reads what comes: closed with the HELLO unread, the
                // socket would reset, and a reset may take the ERROR with it before the client reads it
                socket.shutdownOutput();
                while (server.in.read() >= 0) {
                    // the client's HELLO, if it sent one, up to its close
                }
            }
            // well within the 20 s the login may take: the refusal, not a timeout
            assertThat(connecting).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(io.baton.BatonException.class).withMessageContaining("its limit (by hand)");
        }
    }

    @Test
    void aServerThatStopsAnsweringWithoutClosing_isFoundOutByPing_andTheClientReconnects() throws Exception {
        try (java.net.ServerSocket listener = byHandListener()) {
            java.util.concurrent.CompletableFuture<Baton> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Baton.connect("baton://127.0.0.1:" + listener.getLocalPort() + "?callConnections=0&pingIntervalMillis=300"));
            try (java.net.Socket first = listener.accept()) {
                ByHand server = new ByHand(first);
                server.welcome(1 << 20);
                Baton client = connecting.get(10, java.util.concurrent.TimeUnit.SECONDS);
                try {
                    for (int i = 0; i < 2; i++) { // answered: the connection stays
                        java.nio.ByteBuffer ping = server.read();
                        assertThat(Byte.toUnsignedInt(ping.get())).isEqualTo(io.baton.protocol.Verb.PING);
                        server.write(io.baton.protocol.Verb.OK, ping.getInt(), f -> { });
                    }
                    java.nio.ByteBuffer unanswered = server.read();
                    assertThat(Byte.toUnsignedInt(unanswered.get())).isEqualTo(io.baton.protocol.Verb.PING);
                    // not answered, and the socket left open: the client gives up on it after an interval
                    assertThatThrownBy(server::read).isInstanceOf(java.io.EOFException.class);
                    try (java.net.Socket second = listener.accept()) {
                        new ByHand(second).welcome(1 << 20);
                    }
                } finally {
                    client.close();
                }
            }
        }
    }

    @Test
    void whileTheClientLogsInAgain_nothingButItsHelloGoesOut() throws Exception {
        try (java.net.ServerSocket listener = byHandListener()) {
            java.util.concurrent.CompletableFuture<ClientConnection> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> new ClientConnection("127.0.0.1", listener.getLocalPort(), ClientConnection.Credentials.NONE, Duration.ofSeconds(5)));
            try (java.net.Socket first = listener.accept()) {
                new ByHand(first).welcome(1 << 20);
            }
            ClientConnection connection = connecting.get(10, java.util.concurrent.TimeUnit.SECONDS);
            try (java.net.Socket second = listener.accept()) {
                ByHand server = new ByHand(second);
                int hello = server.readHello(); // the reconnect's HELLO, not answered yet
                // a frame of the connection before (a handler's late REPLY, a cancel) would reach the
                // server ahead of its login, which closes the connection for good: it is dropped
                assertThat(connection.write(io.baton.protocol.Verb.CANCEL_REQUEST, 7, f -> { })).isFalse();
                server.welcome(hello, 1 << 20);
                await().atMost(Duration.ofSeconds(10)).until(() -> connection.awaitConnected(Duration.ofMillis(100)));
                assertThat(connection.write(io.baton.protocol.Verb.CANCEL_REQUEST, 8, f -> { })).isTrue();
                java.nio.ByteBuffer next = server.read();
                assertThat(Byte.toUnsignedInt(next.get())).isEqualTo(io.baton.protocol.Verb.CANCEL_REQUEST);
                assertThat(next.getInt()).as("the frame after the login is the one written after it").isEqualTo(8);
            } finally {
                connection.close();
            }
        }
    }
}
