package io.baton.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.Baton;
import io.baton.NoRespondersException;
import io.baton.protocol.FrameReader;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Verb;
import io.baton.spi.Envelope;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Over a real server: a serving connection that answers every REQUEST "nothing serves this here"
 * (as a client does for a registration it closed before the server heard) does not fail the
 * calls the server gave it while another client serves the subject: they go to that one.
 */
class RerouteTest {
    @RegisterExtension
    static final BatonServerExtension server = BatonServerExtension.inMemory();

    @Test
    void callsRefusedByAClosingServer_areAnsweredByTheSubjectsOtherServer() throws Exception {
        URI url = URI.create(server.url());
        try (Socket socket = new Socket(url.getHost(), url.getPort());
             Baton serving = Baton.connect(server.url());
             Baton calling = Baton.connect(server.url())) {
            ByHand closing = new ByHand(socket);
            closing.write(Verb.HELLO, 1, f -> {
                f.writeShort(Verb.PROTOCOL_VERSION);
                FrameWriter.str(f, "closing by hand");
                f.writeByte(0); // no authentication
            });
            assertThat(Byte.toUnsignedInt(closing.read().get())).isEqualTo(Verb.WELCOME);
            closing.write(Verb.SERVE, 2, f -> FrameWriter.str(f, "echo"));
            assertThat(Byte.toUnsignedInt(closing.read().get())).isEqualTo(Verb.OK);
            AtomicInteger refused = new AtomicInteger();
            Thread refuser = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        ByteBuffer frame = closing.read();
                        if (Byte.toUnsignedInt(frame.get()) != Verb.REQUEST) continue;
                        frame.getInt();
                        FrameReader in = new FrameReader(frame);
                        long callId = in.i64("callId");
                        Envelope request = in.envelope(1 << 20);
                        refused.incrementAndGet();
                        closing.write(Verb.REPLY, 0, f -> {
                            f.writeLong(callId);
                            FrameWriter.envelope(f, Envelope.rpcError(request.subject(), "no-server",
                                    NoRespondersException.class.getName(), "'echo' stopped being served here"));
                        });
                    }
                } catch (IOException e) {
                    // the socket closed: the test is over
                }
            });
            serving.serve("echo", String.class, s -> "echo " + s);
            for (int i = 0; i < 20; i++) {
                assertThat(calling.call("echo", "c" + i, String.class)).isEqualTo("echo c" + i);
            }
            // the server goes round its two servers of "echo": about every other call met the refusing one first
            assertThat(refused.get()).isGreaterThanOrEqualTo(5);
            socket.shutdownInput(); // the refuser reads the end of the stream and stops
            refuser.join(10_000);
        }
    }
}
