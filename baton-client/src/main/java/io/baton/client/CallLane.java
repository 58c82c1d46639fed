package io.baton.client;

import io.baton.BatonClosedException;
import io.baton.BatonException;
import io.baton.ConnectionLostException;
import io.baton.PayloadTooLargeException;
import io.baton.ProtocolException;
import io.baton.protocol.ErrorCode;
import io.baton.protocol.FrameReader;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Frames;
import io.baton.protocol.Verb;
import io.baton.spi.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A connection that one blocking caller at a time has to itself: the caller writes its CALL and
 * reads the reply on its own thread. Through the shared connection a call is handed to its event
 * loop to be written and the reply handed back, two thread wake-ups of the four a call costs; here
 * there are none. It speaks the same protocol (HELLO, then CALL, answered by OK or ERROR, and
 * CANCEL_REQUEST when the caller gives up), so the server needs nothing of its own for it.
 * {@link CallLanes} keeps these.
 *
 * <p>Not thread-safe: one call at a time; only {@link #close()} may come from another thread.
 */
final class CallLane implements AutoCloseable {
    private static final int SMALL_BUFFER = 4096;
    /** A call's deadline is at most this far: the wire carries milliseconds in 32 bits. */
    private static final Duration LONGEST = Duration.ofMillis(Integer.MAX_VALUE);
    private final String address;
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    /** The frame being written; replaced by a small one after a large frame. */
    private ByteBuf out = Unpooled.buffer(SMALL_BUFFER);
    /** Bytes read and not yet handled, from index 0 to the position; grows for a large frame, and shrinks after it. */
    private ByteBuffer in = ByteBuffer.allocate(SMALL_BUFFER);
    /** Whether a frame was begun on the socket and not finished: nothing else may be written then. */
    private boolean midFrame;
    /** The largest payload the server takes (from WELCOME). */
    private int maxPayloadBytes;
    private int lastStream;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CallLane(String address, SocketChannel channel, Selector selector) throws ClosedChannelException {
        this.address = address;
        this.channel = channel;
        this.selector = selector;
        this.key = channel.register(selector, SelectionKey.OP_READ);
    }

    /**
     * Connects and logs in as the shared connection did.
     *
     * @throws BatonException the server refused the login (its ERROR, as the exception it stands for)
     */
    static CallLane open(String host, int port, ClientConnection.Credentials credentials, Duration connectTimeout)
            throws IOException, InterruptedException, TimeoutException {
        SocketChannel channel = SocketChannel.open();
        Selector selector = null;
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.socket().connect(new InetSocketAddress(host, port), (int) Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE));
            channel.configureBlocking(false);
            selector = Selector.open();
            CallLane lane = new CallLane(host + ":" + port, channel, selector);
            lane.login(credentials, System.nanoTime() + connectTimeout.toNanos());
            return lane;
        } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
            if (selector != null) selector.close();
            channel.close();
            throw e;
        }
    }

    private void login(ClientConnection.Credentials credentials, long deadline) throws IOException, InterruptedException, TimeoutException {
        int stream = ++lastStream;
        send(Verb.HELLO, stream, o -> ClientConnection.hello(o, credentials), deadline);
        int length = awaitFrame(deadline);
        int verb = Byte.toUnsignedInt(in.get(4));
        FrameReader fields = fields(length);
        if (verb == Verb.ERROR) throw error(fields);
        if (verb != Verb.WELCOME || in.getInt(5) != stream) throw new ProtocolException("the server at " + address + " answered HELLO with verb " + verb);
        maxPayloadBytes = ClientConnection.readWelcome(fields).maxPayloadBytes();
        fields.end();
        consume(length);
    }

    /**
     * Calls and waits for the reply, up to {@code timeout}. The timeout and an interrupt give the
     * call up: CANCEL_REQUEST tells the server, and the answer it may still send is skipped by the
     * next call.
     *
     * @throws ExecutionException the server answered ERROR, or the connection failed (the cause says which)
     */
    Envelope call(Envelope request, Duration timeout) throws InterruptedException, TimeoutException, ExecutionException {
        if (Thread.interrupted()) throw new InterruptedException(); // before anything is sent: nothing to cancel
        if (request.payload().length > maxPayloadBytes) {
            throw new ExecutionException(new PayloadTooLargeException("a request of " + request.payload().length
                    + " bytes is over the server's limit of " + maxPayloadBytes + " bytes; '" + request.subject() + "' was not called"));
        }
        Duration capped = timeout.compareTo(LONGEST) > 0 ? LONGEST : timeout;
        long deadline = System.nanoTime() + capped.toNanos();
        int stream = nextStream();
        long millis = Math.max(capped.toMillis(), 1);
        try {
            send(Verb.CALL, stream, o -> {
                o.writeInt((int) millis);
                FrameWriter.envelope(o, request);
            }, deadline);
            while (true) {
                int length = awaitFrame(deadline);
                int verb = Byte.toUnsignedInt(in.get(4));
                int answered = in.getInt(5);
                if (answered == stream && verb == Verb.OK) {
                    FrameReader fields = fields(length);
                    Envelope reply = fields.envelope(Integer.MAX_VALUE);
                    fields.end();
                    consume(length);
                    return reply;
                }
                if (verb == Verb.ERROR && (answered == stream || answered == 0)) {
                    FrameReader fields = fields(length);
                    ErrorCode code = ErrorCode.of(fields.u16("error code"));
                    BatonException failure = code.toException(fields.str("error message"));
                    consume(length);
                    if (answered == 0 || code.closesConnection()) close(); // the server closes it
                    throw new ExecutionException(failure);
                }
                consume(length); // the answer to a call given up earlier
            }
        } catch (TimeoutException | InterruptedException e) {
            cancel(stream);
            throw e;
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) { // closed, by the server or by close()
            boolean closedHere = closed.get();
            close();
            throw new ExecutionException(closedHere
                    ? new BatonClosedException("the connection to " + address + " was closed")
                    : new ConnectionLostException("lost the connection to the Baton server at " + address
                            + "; whether it acted on this request is unknown", e));
        } catch (ProtocolException e) {
            close();
            throw new ExecutionException(e);
        }
    }

    /**
     * Whether the lane can take a call: open, and the server has not closed its end (a server that
     * restarted, say) since the last call. Reads whatever came meanwhile, without waiting, and drops
     * it: with no call in flight, all of it answers calls given up (an ERROR on stream 0 says the
     * server is closing the connection).
     */
    boolean isUsable() {
        if (closed.get()) return false;
        try {
            while (true) {
                while (in.position() >= 4) {
                    int length = frameLength();
                    if (in.position() < 4 + length) break;
                    if (Byte.toUnsignedInt(in.get(4)) == Verb.ERROR && in.getInt(5) == 0) return false;
                    consume(length);
                }
                int read = channel.read(in);
                if (read < 0) return false;
                if (read == 0) return true;
            }
        } catch (IOException | ProtocolException e) {
            return false;
        }
    }

    boolean isOpen() {
        return !closed.get();
    }

    /** Closes the connection; a call waiting on it fails with {@link BatonClosedException}. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            selector.close(); // wakes a caller waiting in select
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private int nextStream() {
        int s = ++lastStream;
        if (s <= 0) lastStream = s = 1; // after 2^31 calls: stream 0 is the connection's own
        return s;
    }

    private void send(int verb, int stream, Consumer<ByteBuf> fields, long deadline) throws IOException, InterruptedException, TimeoutException {
        out.clear();
        int start = FrameWriter.begin(out, verb, stream);
        fields.accept(out);
        FrameWriter.end(out, start);
        ByteBuffer bytes = out.nioBuffer();
        midFrame = true;
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0) await(SelectionKey.OP_WRITE, deadline);
        }
        midFrame = false;
        if (out.capacity() > SMALL_BUFFER * 16) out = Unpooled.buffer(SMALL_BUFFER);
    }

    /**
     * Tells the server a call is given up. If that cannot be written at once, or the CALL itself
     * was cut off partway (the next bytes would be read as the rest of it), the lane closes, which
     * cancels the call too.
     */
    private void cancel(int stream) {
        if (closed.get()) return;
        if (midFrame) {
            close();
            return;
        }
        try {
            out.clear();
            FrameWriter.end(out, FrameWriter.begin(out, Verb.CANCEL_REQUEST, stream));
            ByteBuffer bytes = out.nioBuffer();
            channel.write(bytes);
            if (bytes.hasRemaining()) close();
        } catch (IOException e) {
            close();
        }
    }

    /** Reads until {@code in} holds a whole frame; returns its length (what follows the length field). */
    private int awaitFrame(long deadline) throws IOException, InterruptedException, TimeoutException {
        while (true) {
            if (in.position() >= 4) {
                int length = frameLength();
                if (in.position() >= 4 + length) return length;
            }
            int read = channel.read(in);
            if (read < 0) throw new ClosedChannelException();
            if (read == 0) await(SelectionKey.OP_READ, deadline);
        }
    }

    /** The length of the frame at the start of {@code in}, checked; {@code in} is made large enough for it. */
    private int frameLength() {
        int length = in.getInt(0);
        if (length < Frames.MIN_FRAME || length > ClientConnection.MAX_INBOUND_FRAME) {
            throw new ProtocolException("the server at " + address + " sent a frame of " + length + " bytes");
        }
        if (in.capacity() < 4 + length) in = copied(ByteBuffer.allocate(4 + length));
        return length;
    }

    /** {@code in}'s bytes, copied into {@code to}. */
    private ByteBuffer copied(ByteBuffer to) {
        in.flip();
        return to.put(in);
    }

    /** Waits until the channel is ready for {@code op}, the deadline passes or the thread is interrupted. */
    private void await(int op, long deadline) throws IOException, InterruptedException, TimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new TimeoutException();
        if (key.interestOps() != op) key.interestOps(op);
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
        selector.selectedKeys().clear();
        if (Thread.interrupted()) throw new InterruptedException();
    }

    /** The fields of the frame at the start of {@code in} (after verb and stream). */
    private FrameReader fields(int length) {
        return new FrameReader(in.slice(9, length - 5));
    }

    /** Drops the frame at the start of {@code in}; after a large one, the buffer shrinks back. */
    private void consume(int length) {
        in.flip();
        in.position(4 + length);
        in.compact();
        if (in.capacity() > SMALL_BUFFER * 16 && in.position() <= SMALL_BUFFER) in = copied(ByteBuffer.allocate(SMALL_BUFFER));
    }

    private static BatonException error(FrameReader fields) {
        ErrorCode code = ErrorCode.of(fields.u16("error code"));
        return code.toException(fields.str("error message"));
    }
}
