package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.protocol.Verb;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;

/** A real TCP connection to a server that writes bytes by hand and reads the server's frames. */
final class RawSocket implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    RawSocket(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true); // each write goes out as its own segment
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    RawSocket write(byte[] bytes, int from, int to) throws IOException {
        out.write(bytes, from, to - from);
        out.flush();
        return this;
    }

    RawSocket write(byte[] bytes) throws IOException {
        return write(bytes, 0, bytes.length);
    }

    /** Reads the server's next frame. */
    ServerFrame read() throws IOException {
        int length = in.readInt();
        if (length < 5 || length > 16 << 20) throw new AssertionError("the server sent a frame length of " + length);
        byte[] frame = new byte[4 + length];
        Wire.putInt(frame, 0, length);
        in.readFully(frame, 4, length);
        return ServerFrame.parse(frame);
    }

    /** Logs in with no authentication; returns the WELCOME. */
    ServerFrame hello() throws IOException {
        write(ClientFrames.hello(1).frame());
        ServerFrame welcome = read();
        assertThat(welcome.verb()).as("answer to HELLO: %s", welcome).isEqualTo(Verb.WELCOME);
        return welcome;
    }

    /** Sends a PING and checks that it gets OK on its stream. */
    void ping(int stream) throws IOException {
        write(ClientFrames.ping(stream).frame());
        ServerFrame ok = read();
        assertThat(ok.verb()).as("answer to PING: %s", ok).isEqualTo(Verb.OK);
        assertThat(ok.stream()).isEqualTo(stream);
    }

    /** Says it will send no more, as a peer that sent a part of a frame and stopped would. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Whether the server closed the connection (reads past anything it still sent). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException e) {
            return true;
        } catch (SocketException e) {
            return true; // reset: closed with our bytes unread
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
