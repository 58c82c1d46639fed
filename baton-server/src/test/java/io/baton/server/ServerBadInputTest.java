package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.BatonException;
import io.baton.protocol.ErrorCode;
import io.baton.protocol.Verb;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the server does with input that does not follow docs/protocol.md: a clear ERROR, that connection closed, the server fine. */
class ServerBadInputTest {
    private BatonServer server;

    @BeforeEach
    void start() {
        server = BatonServer.start(ServerOptions.builder().port(0).maxPayloadBytes(1024).loginTimeout(Duration.ofMillis(500)).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A raw connection that writes frames by hand and reads the server's. */
    private final class Raw implements AutoCloseable {
        final Socket socket;
        final DataOutputStream out;
        final DataInputStream in;

        Raw() throws IOException {
            socket = new Socket("127.0.0.1", server.port());
            socket.setSoTimeout(5_000);
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(socket.getInputStream());
        }

        void frame(int verb, int stream, byte[] fields) throws IOException {
            out.writeInt(5 + fields.length);
            out.writeByte(verb);
            out.writeInt(stream);
            out.write(fields);
            out.flush();
        }

        void hello() throws IOException {
            DataOutputStreamBuilder b = new DataOutputStreamBuilder();
            b.out.writeShort(Verb.PROTOCOL_VERSION);
            b.str("test");
            b.out.writeByte(0);
            frame(Verb.HELLO, 1, b.bytes());
            assertThat(readVerb()).isEqualTo(Verb.WELCOME);
        }

        int lastStream;
        int lastCode;

        /** Reads one frame; returns its verb and keeps an ERROR's code. */
        int readVerb() throws IOException {
            int length = in.readInt();
            byte[] body = new byte[length];
            in.readFully(body);
            int verb = body[0] & 0xFF;
            lastStream = ((body[1] & 0xFF) << 24) | ((body[2] & 0xFF) << 16) | ((body[3] & 0xFF) << 8) | (body[4] & 0xFF);
            if (verb == Verb.ERROR) lastCode = ((body[5] & 0xFF) << 8) | (body[6] & 0xFF);
            return verb;
        }

        boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (EOFException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static final class DataOutputStreamBuilder {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);

        void str(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeShort(b.length);
            out.write(b);
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    private void assertServerStillServes() throws IOException {
        try (Raw ok = new Raw()) {
            ok.hello();
            ok.frame(Verb.PING, 7, new byte[0]);
            assertThat(ok.readVerb()).isEqualTo(Verb.OK);
            assertThat(ok.lastStream).isEqualTo(7);
        }
    }

    @Test
    void aVerbBeforeHello_isRefused_andTheConnectionClosed() throws IOException {
        try (Raw raw = new Raw()) {
            raw.frame(Verb.PING, 3, new byte[0]);
            assertThat(raw.readVerb()).isEqualTo(Verb.ERROR);
            assertThat(raw.lastCode).isEqualTo(ErrorCode.NOT_AUTHENTICATED.code());
            assertThat(raw.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void noHelloWithinTheLoginTimeout_closesTheConnection() throws IOException {
        try (Raw raw = new Raw()) {
            assertThat(raw.readVerb()).isEqualTo(Verb.ERROR); // after 500 ms, unasked
            assertThat(raw.lastCode).isEqualTo(ErrorCode.NOT_AUTHENTICATED.code());
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    void aHugeLength_isRefusedBeforeItIsRead() throws IOException {
        try (Raw raw = new Raw()) {
            raw.out.writeInt(Integer.MAX_VALUE); // and never the bytes
            raw.out.flush();
            assertThat(raw.readVerb()).isEqualTo(Verb.ERROR);
            assertThat(raw.lastCode).isEqualTo(ErrorCode.FRAME_TOO_LARGE.code());
            assertThat(raw.closedByServer()).isTrue();
        }
        assertServerStillServes();
    }

    @Test
    void aFrameShorterThanItsHeader_andAnUnknownVerb_andLeftoverBytes_areProtocolErrors() throws IOException {
        try (Raw raw = new Raw()) {
            raw.hello();
            raw.out.writeInt(2);
            raw.out.write(new byte[] {1, 2});
            raw.out.flush();
            assertThat(raw.readVerb()).isEqualTo(Verb.ERROR);
            assertThat(raw.lastCode).isEqualTo(ErrorCode.MALFORMED.code());
            assertThat(raw.closedByServer()).isTrue();
        }
        try (Raw raw = new Raw()) {
            raw.hello();
            raw.frame(0x7E, 9, new byte[0]);
            assertThat(raw.readVerb()).isEqualTo(Verb.ERROR);
            assertThat(raw.lastCode).isEqualTo(ErrorCode.UNKNOWN_VERB.code());
            assertThat(raw.closedByServer()).isTrue();
        }
        try (Raw raw = new Raw()) {
            raw.hello();
            raw.frame(Verb.PING, 9, new byte[] {42});
            assertThat(raw.readVerb()).isEqualTo(Verb.ERROR);
            assertThat(raw.lastCode).isEqualTo(ErrorCode.MALFORMED.code());
        }
        assertServerStillServes();
    }

    @Test
    void badUtf8InASubject_isAProtocolError() throws IOException {
        try (Raw raw = new Raw()) {
            raw.hello();
            raw.frame(Verb.SUBSCRIBE, 5, new byte[] {0, 2, (byte) 0xC0, (byte) 0x80}); // overlong NUL
            assertThat(raw.readVerb()).isEqualTo(Verb.ERROR);
            assertThat(raw.lastCode).isEqualTo(ErrorCode.MALFORMED.code());
        }
        assertServerStillServes();
    }

    @Test
    void aPayloadOverTheLimit_isRefused_andTheConnectionGoesOn() throws IOException {
        try (Raw raw = new Raw()) {
            raw.hello();
            DataOutputStreamBuilder b = new DataOutputStreamBuilder();
            b.str("big.subject");
            b.out.writeShort(0xFFFF); // id null
            b.out.writeShort(0xFFFF); // key null
            b.out.writeShort(0);      // headers
            b.out.writeLong(0);       // timestamp
            b.out.writeInt(2048);     // over the 1024 limit
            b.out.write(new byte[2048]);
            raw.frame(Verb.PUBLISH, 11, b.bytes());
            assertThat(raw.readVerb()).isEqualTo(Verb.ERROR);
            assertThat(raw.lastCode).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE.code());
            assertThat(raw.lastStream).isEqualTo(11);
            raw.frame(Verb.PING, 12, new byte[0]);
            assertThat(raw.readVerb()).isEqualTo(Verb.OK);
        }
    }

    @Test
    void theConnectionLimit_refusesOneMore_andCountsIt() throws IOException {
        server.close();
        server = BatonServer.start(ServerOptions.builder().port(0).maxConnections(1).build());
        try (Raw first = new Raw()) {
            first.hello(); // admitted before the second one connects
            try (Raw second = new Raw()) {
                assertThat(second.readVerb()).isEqualTo(Verb.ERROR);
                assertThat(second.lastCode).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS.code());
                assertThat(server.metrics().rejectedConnections()).isEqualTo(1);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 0);
    }

    @Test
    void listeningBeyondLoopbackWithoutAuthentication_refusesToStart() {
        assertThatThrownBy(() -> BatonServer.start(ServerOptions.builder().bind("0.0.0.0").port(0).build()))
                .isInstanceOf(BatonException.class)
                .hasMessageContaining("without authentication")
                .hasMessageContaining("--insecure");
    }
}
