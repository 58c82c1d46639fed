package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.Headers;
import io.baton.protocol.ErrorCode;
import io.baton.protocol.FrameReader;
import io.baton.protocol.Verb;
import io.baton.spi.Envelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server enforces a CALL's deadline itself: a caller that never gives up still gets its answer, and the serving side its CANCEL. */
class ServerCallDeadlineTest {
    private BatonServer server;

    @BeforeEach
    void start() {
        server = BatonServer.start(ServerOptions.builder().port(0).storage("mem:").build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aCallNobodyAnswers_isAnsweredDeadlineExceededAtItsDeadline_andTheServingSideIsCancelled() throws IOException {
        try (RawSocket serving = new RawSocket(server.port()); RawSocket caller = new RawSocket(server.port())) {
            serving.hello();
            serving.write(ClientFrames.serve(2, "silent").frame());
            assertThat(serving.read().verb()).isEqualTo(Verb.OK);
            caller.hello();

            long start = System.nanoTime();
            caller.write(ClientFrames.call(7, "silent", 300).frame());
            ServerFrame request = serving.read();
            assertThat(request.verb()).isEqualTo(Verb.REQUEST);
            ServerFrame answer = caller.read(); // the caller sends nothing more: the server's own timer answers
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(answer.stream()).isEqualTo(7);
            assertThat(answer.verb() == Verb.ERROR && answer.isError(ErrorCode.DEADLINE_EXCEEDED)).as("%s", answer).isTrue();
            assertThat(answer.errorMessage()).isEqualTo("no reply from 'silent' within 300 ms");
            assertThat(tookMillis).isGreaterThanOrEqualTo(300);
            ServerFrame cancel = serving.read();
            assertThat(cancel.verb()).isEqualTo(Verb.CANCEL);
            assertThat(cancel.fields()).as("the call id of the REQUEST").startsWith(java.util.Arrays.copyOf(request.fields(), 8));
            caller.ping(8); // the connection goes on
        }
    }

    @Test
    void aCallWhoseServerGoesAway_isAnsweredAtOnce_notAtItsDeadline() throws IOException {
        try (RawSocket caller = new RawSocket(server.port())) {
            caller.hello();
            long start = System.nanoTime();
            try (RawSocket serving = new RawSocket(server.port())) {
                serving.hello();
                serving.write(ClientFrames.serve(2, "fragile").frame());
                assertThat(serving.read().verb()).isEqualTo(Verb.OK);
                caller.write(ClientFrames.call(7, "fragile", 60_000).frame());
                assertThat(serving.read().verb()).isEqualTo(Verb.REQUEST);
            } // the serving side goes away holding the call
            ServerFrame answer = caller.read(); // within the socket's 10 s read timeout, far before the call's 60 s
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(answer.verb()).as("%s", answer).isEqualTo(Verb.OK);
            assertThat(answer.stream()).isEqualTo(7);
            Envelope reply = new FrameReader(ByteBuffer.wrap(answer.fields())).envelope(1 << 20);
            assertThat(reply.headers()).containsEntry(Headers.RPC_ERROR_TYPE, "io.baton.ConnectionLostException");
            assertThat(reply.headers().get(Headers.RPC_ERROR_MESSAGE)).contains("the server of 'fragile' lost its connection");
            assertThat(tookMillis).isLessThan(10_000);
        }
    }
}
