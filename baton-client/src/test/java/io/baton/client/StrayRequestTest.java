package io.baton.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.Baton;
import io.baton.Headers;
import io.baton.protocol.FrameReader;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Verb;
import io.baton.spi.Envelope;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A REQUEST for a registration the client no longer has (closed while the server still routed to
 * it) is answered at once, "nothing serves this here", rather than left to the caller's deadline.
 * The server here is a socket that speaks the protocol by hand.
 */
class StrayRequestTest {

    @Test
    void aRequestForARegistrationThisClientDoesNotHave_isAnsweredNoServer() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CompletableFuture<Baton> connecting = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Baton.connect("baton://127.0.0.1:" + listener.getLocalPort() + "?callConnections=0"));
            try (Socket client = listener.accept()) {
                ByHand server = new ByHand(client);
                server.welcome(1 << 20);
                server.write(Verb.REQUEST, 99, f -> { // stream 99: no registration of this client
                    f.writeLong(1234L);
                    FrameWriter.envelope(f, Envelope.of("stray.subject", new byte[] {1}));
                });
                ByteBuffer reply = server.read();
                assertThat(Byte.toUnsignedInt(reply.get())).isEqualTo(Verb.REPLY);
                reply.getInt();
                FrameReader fields = new FrameReader(reply);
                assertThat(fields.i64("callId")).isEqualTo(1234L);
                Envelope answer = fields.envelope(1 << 20);
                assertThat(answer.headers()).containsEntry(Headers.RPC_ERROR_KIND, "no-server")
                        .containsEntry(Headers.RPC_ERROR_TYPE, "io.baton.NoRespondersException");
                connecting.get(10, java.util.concurrent.TimeUnit.SECONDS).close();
            }
        }
    }
}
