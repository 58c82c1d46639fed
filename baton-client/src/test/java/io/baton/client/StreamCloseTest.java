package io.baton.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.Baton;
import io.baton.Subscription;
import io.baton.protocol.Verb;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing a served subject, against a server spoken by hand: the close never waits for the
 * server (a function stopping must not block), and one made while a reconnect restores the
 * subject still reaches the server, after the restore it undoes.
 */
class StreamCloseTest {

    private static CompletableFuture<Baton> connect(ServerSocket listener, String params) {
        return CompletableFuture.supplyAsync(() -> Baton.connect("baton://127.0.0.1:" + listener.getLocalPort() + "?callConnections=0&" + params));
    }

    @Test
    void closingAClient_doesNotWaitForTheServerToAnswerEachUnserve() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Baton> connecting = connect(listener, "requestTimeoutMillis=1000");
            try (Socket s = listener.accept()) {
                ByHand server = new ByHand(s);
                server.welcome(1 << 20);
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        while (true) {
                            ByteBuffer f = server.read();
                            int verb = Byte.toUnsignedInt(f.get());
                            int stream = f.getInt();
                            if (verb == Verb.SERVE || verb == Verb.BYE) server.write(Verb.OK, stream, o -> { });
                            // UNSERVE: a stalled server never answers it
                        }
                    } catch (Exception e) {
                        // the connection closed
                    }
                });
                Baton client = connecting.get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 4; i++) client.serve("svc." + i, String.class, x -> x);
                long started = System.nanoTime();
                client.close();
                long tookMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(tookMillis).as("close of 4 served subjects, each UNSERVE unanswered, request timeout 1 s").isLessThan(2_000);
            }
        }
    }

    @Test
    void closingASubjectWhileAReconnectRestoresIt_unservesItAfterTheRestore() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Baton> connecting = connect(listener, "requestTimeoutMillis=2000");
            Socket first = listener.accept();
            ByHand s1 = new ByHand(first);
            s1.welcome(1 << 20);
            try (Baton client = connecting.get(10, TimeUnit.SECONDS)) {
                CompletableFuture<Subscription> serving = CompletableFuture.supplyAsync(() -> client.serve("svc", String.class, x -> x));
                ByteBuffer serve = s1.read();
                assertThat(Byte.toUnsignedInt(serve.get())).isEqualTo(Verb.SERVE);
                s1.write(Verb.OK, serve.getInt(), o -> { });
                Subscription subscription = serving.get(10, TimeUnit.SECONDS);
                first.close(); // lost: the client reconnects and restores what it served
                try (Socket second = listener.accept()) {
                    ByHand s2 = new ByHand(second);
                    s2.welcome(1 << 20);
                    ByteBuffer restore = s2.read();
                    assertThat(Byte.toUnsignedInt(restore.get())).isEqualTo(Verb.SERVE);
                    int restoreStream = restore.getInt();
                    subscription.close(); // before the restore is answered
                    s2.write(Verb.OK, restoreStream, o -> { });
                    second.setSoTimeout(3_000);
                    boolean unserved = false;
                    try {
                        while (!unserved) unserved = Byte.toUnsignedInt(s2.read().get()) == Verb.UNSERVE;
                    } catch (SocketTimeoutException e) {
                        // nothing more came
                    }
                    assertThat(unserved).as("the server heard UNSERVE for the registration it restored").isTrue();
                }
            }
        }
    }
}
