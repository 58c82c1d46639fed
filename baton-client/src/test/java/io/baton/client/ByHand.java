package io.baton.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.protocol.FrameWriter;
import io.baton.protocol.Verb;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** The server's side of one client connection, spoken by hand: frames read and written one at a time. */
final class ByHand {
    final DataInputStream in;
    final OutputStream out;

    ByHand(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Reads the client's HELLO and answers WELCOME, taking payloads of up to {@code maxPayload} bytes. */
    void welcome(int maxPayload) throws IOException {
        welcome(readHello(), maxPayload);
    }

    /** Reads the client's HELLO; returns its stream, for {@link #welcome(int, int)}. */
    int readHello() throws IOException {
        ByteBuffer hello = read();
        assertThat(Byte.toUnsignedInt(hello.get())).isEqualTo(Verb.HELLO);
        return hello.getInt();
    }

    /** Answers the HELLO on {@code helloStream} with WELCOME, taking payloads of up to {@code maxPayload} bytes. */
    void welcome(int helloStream, int maxPayload) throws IOException {
        write(Verb.WELCOME, helloStream, f -> {
            f.writeShort(Verb.PROTOCOL_VERSION);
            FrameWriter.str(f, "by hand");
            f.writeInt(maxPayload);
            f.writeInt(maxPayload + (64 << 10));
            f.writeInt(0);
        });
    }

    /** The next frame, without its length: verb, stream, fields. */
    ByteBuffer read() throws IOException {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return ByteBuffer.wrap(frame);
    }

    void write(int verb, int stream, Consumer<ByteBuf> fields) throws IOException {
        ByteBuf b = Unpooled.buffer();
        int start = FrameWriter.begin(b, verb, stream);
        fields.accept(b);
        FrameWriter.end(b, start);
        out.write(b.array(), b.arrayOffset(), b.writerIndex());
        out.flush();
    }
}
