package io.baton.client;

import io.baton.AuthenticationException;
import io.baton.BatonException;
import io.baton.ConnectionLostException;
import io.baton.ProtocolException;
import io.baton.protocol.ErrorCode;
import io.baton.protocol.FrameReader;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Frames;
import io.baton.protocol.Outbox;
import io.baton.protocol.Transport;
import io.baton.protocol.Verb;
import io.baton.spi.Envelope;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to a Baton server, speaking docs/protocol.md: requests matched to their
 * answers by stream id, and frames the server pushes (subscription messages, RPC requests)
 * routed to whoever registered their stream. Answers are decoded on the connection's I/O thread,
 * which completes the request's future.
 */
final class ClientConnection {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    /** Frames this client accepts: the largest payload a server may send, plus overhead. */
    static final int MAX_INBOUND_FRAME = Frames.maxFrameBytes(64 << 20);

    /** Receives frames the server pushes on one stream. */
    interface PushHandler {
        void onPush(int verb, FrameReader in);
    }

    private record Pending<T>(CompletableFuture<T> future, Function<FrameReader, T> decode) {
        void complete(FrameReader in) {
            T value;
            try {
                value = decode.apply(in);
                in.end();
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return;
            }
            future.complete(value);
        }
    }

    private final String address;
    private final String host;
    private final int port;
    private final Credentials credentials;
    private final Duration connectTimeout;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    /** The live channel; replaced when the connection is restored. */
    private volatile Channel channel;
    /** The live channel's frames to write, batched per event-loop turn; replaced with the channel. */
    private volatile Outbox outbox;
    /** Threads waiting for room to publish: the outbox wakes them after a drain. */
    private final AtomicInteger waitingForRoom = new AtomicInteger();
    /** Whether the channel is logged in (its streams maybe still being restored): a stream's close may go out then. */
    private volatile boolean loggedIn;
    /** Whether the channel is logged in and its streams restored: requests go out only then. */
    private volatile boolean connected;
    private final Object connectedLock = new Object();
    /** What each open stream needs the server to hear again after a reconnect, in the order they were opened. */
    private final Map<Integer, Restore> restores = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** The last ERROR the server sent for a request nobody waits for (PUBLISH_ASYNC): thrown by the next one. */
    private final java.util.concurrent.atomic.AtomicReference<BatonException> asyncFailure = new java.util.concurrent.atomic.AtomicReference<>();
    private final Object writable = new Object();
    /** The stream each piece of server-side state ({@link #openState}) is restored on, by key. */
    private final Map<String, Integer> stateStreams = new ConcurrentHashMap<>();
    private final Map<Integer, Pending<?>> pending = new ConcurrentHashMap<>();
    /** Requests given up by their callers whose answer has not come yet (see {@link #forget}). */
    private final java.util.Set<Integer> forgotten = ConcurrentHashMap.newKeySet();
    private final Map<Integer, PushHandler> pushes = new ConcurrentHashMap<>();
    private final AtomicInteger nextStream = new AtomicInteger();
    private volatile BatonException broken;
    /** Set by {@link #close()}: from then on a lost connection is this side closing it. */
    private volatile boolean closing;
    /** Whether a reconnect loop runs: there is never more than one, or each would log in a channel of its own. */
    private final java.util.concurrent.atomic.AtomicBoolean reconnecting = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Welcome welcome;
    /** Set once the first login succeeded: before that a lost channel fails the connect, and nothing reconnects. */
    private volatile boolean started;
    /** Why the server refused the current channel for now (TOO_MANY_CONNECTIONS, SHUTTING_DOWN), if it did. */
    private volatile BatonException refusal;

    /** A request to send again, on the same stream, after reconnecting. */
    private record Restore(int verb, Consumer<ByteBuf> fields, String what) {}

    /** What the server said in WELCOME. */
    record Welcome(String serverName, int maxPayloadBytes, int maxFrameBytes, int capabilities) {}

    /** The credentials HELLO carries: method 0 none, 1 token, 2 user and password. */
    record Credentials(int method, String token, String user, String password) {
        static final Credentials NONE = new Credentials(0, null, null, null);
    }

    /** TLS for the connection: the CA to trust (null: the JDK's), and a client certificate and key for mutual TLS (or nulls). */
    record Tls(java.nio.file.Path trust, java.nio.file.Path certificate, java.nio.file.Path privateKey) {
        io.netty.handler.ssl.SslContext context() {
            try {
                io.netty.handler.ssl.SslContextBuilder b = io.netty.handler.ssl.SslContextBuilder.forClient()
                        .endpointIdentificationAlgorithm("HTTPS"); // the server's certificate must name the host
                if (trust != null) b.trustManager(trust.toFile());
                if (certificate != null) b.keyManager(certificate.toFile(), privateKey.toFile());
                return b.build();
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new BatonException("TLS: cannot use " + (trust == null ? "" : "trust " + trust + " ")
                        + (certificate == null ? "" : "certificate " + certificate + " and key " + privateKey) + ": " + e.getMessage(), e);
            }
        }
    }

    /** How long a connection may read nothing before it sends a PING, and then wait for the answer, by default. */
    static final Duration PING_INTERVAL = Duration.ofSeconds(30);

    ClientConnection(String host, int port, Credentials credentials, Duration connectTimeout) {
        this(host, port, credentials, connectTimeout, null, PING_INTERVAL);
    }

    /**
     * @param pingInterval after this long with nothing read, a PING; after as long again with still
     *        nothing, the connection counts as lost (a server gone without a close or a reset)
     */
    ClientConnection(String host, int port, Credentials credentials, Duration connectTimeout, Tls tls, Duration pingInterval) {
        this.address = host + ":" + port;
        this.host = host;
        this.port = port;
        this.credentials = credentials;
        this.connectTimeout = connectTimeout;
        io.netty.handler.ssl.SslContext ssl = tls == null ? null : tls.context();
        Transport transport = Transport.best();
        this.group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.bootstrap = new Bootstrap().group(group).channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                // asynchronous publishes may run ahead of the network by this much before they wait
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new io.netty.channel.WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // current before it can read anything: a server may refuse it at once, before HELLO
                        channel = ch;
                        if (ssl != null) ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
                        ch.pipeline()
                                .addLast(new io.netty.handler.timeout.IdleStateHandler(pingInterval.toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast(Frames.decoder(MAX_INBOUND_FRAME))
                                .addLast(new Inbound());
                    }
                });
        try {
            login();
        } catch (RuntimeException e) {
            closing = true;
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        started = true;
        if (!channel.isActive()) lost(); // lost between its login and now, when channelInactive left it to this
    }

    /**
     * Opens a channel, logs in on it (HELLO) and opens again every stream this connection had
     * (none the first time); requests go through once this returns.
     */
    private void login() {
        connected = false;
        loggedIn = false;
        refusal = null;
        var connect = bootstrap.connect(host, port);
        this.channel = connect.channel(); // as initChannel made it, before any of its frames could be read
        if (!connect.awaitUninterruptibly(connectTimeout.toMillis() + 1000) || !connect.isSuccess()) {
            Throwable cause = connect.cause();
            connect.channel().close();
            throw new ConnectionLostException("cannot connect to a Baton server at " + address + ": "
                    + (cause == null ? "timed out after " + connectTimeout.toMillis() + " ms" : cause.getMessage()), cause);
        }
        this.outbox = new Outbox(connect.channel(), this::roomMade);
        this.welcome = await(send(Verb.HELLO, newStream(), out -> hello(out, credentials), ClientConnection::readWelcome), connectTimeout, "logging in to " + address);
        loggedIn = true;
        for (Map.Entry<Integer, Restore> r : restores.entrySet()) {
            await(send(r.getValue().verb(), r.getKey(), r.getValue().fields(), in -> null), connectTimeout, "restoring " + r.getValue().what());
        }
        setConnected(true);
    }

    /** HELLO's fields: the protocol version, this client, and the credentials. */
    static void hello(ByteBuf out, Credentials credentials) {
        out.writeShort(Verb.PROTOCOL_VERSION);
        FrameWriter.str(out, "baton-java");
        out.writeByte(credentials.method());
        switch (credentials.method()) {
            case 1 -> FrameWriter.str(out, credentials.token());
            case 2 -> {
                FrameWriter.str(out, credentials.user());
                FrameWriter.str(out, credentials.password());
            }
            default -> { }
        }
    }

    private void setConnected(boolean value) {
        synchronized (connectedLock) {
            connected = value;
            connectedLock.notifyAll();
        }
    }

    /**
     * Waits up to {@code max} for the connection to be up; false if it is not (reconnecting).
     *
     * @throws BatonException why, if the connection is closed or failed for good: waiting cannot help
     */
    boolean awaitConnected(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (connectedLock) {
            while (!connected && broken == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(connectedLock, left);
            }
            BatonException failure = broken;
            if (failure != null) throw failure;
            return true;
        }
    }

    static Welcome readWelcome(FrameReader in) {
        int version = in.u16("protocol version");
        if (version != Verb.PROTOCOL_VERSION) throw new ProtocolException("the server speaks protocol version " + version + ", this client " + Verb.PROTOCOL_VERSION);
        String name = in.str("server name");
        int maxPayload = in.u32("maxPayloadBytes", 1, Integer.MAX_VALUE);
        int maxFrame = in.u32("maxFrameBytes", 1, Integer.MAX_VALUE);
        int capabilities = (int) in.u32("capabilities");
        return new Welcome(name, maxPayload, maxFrame, capabilities);
    }

    Welcome welcome() {
        return welcome;
    }

    String address() {
        return address;
    }

    int newStream() {
        int s;
        do {
            s = nextStream.incrementAndGet();
        } while (s == 0);
        return s;
    }

    /** Sends a request on a new stream; the future completes with {@code decode}'s result of the OK, or fails with the ERROR's exception. */
    <T> CompletableFuture<T> request(int verb, Consumer<ByteBuf> fields, Function<FrameReader, T> decode) {
        return request(verb, newStream(), fields, decode);
    }

    <T> CompletableFuture<T> request(int verb, int stream, Consumer<ByteBuf> fields, Function<FrameReader, T> decode) {
        if (broken == null && !connected) {
            return CompletableFuture.failedFuture(new ConnectionLostException("the connection to " + address + " is lost; reconnecting"));
        }
        return send(verb, stream, fields, decode);
    }

    /** Sends a request on the current channel, connected or still logging in. */
    private <T> CompletableFuture<T> send(int verb, int stream, Consumer<ByteBuf> fields, Function<FrameReader, T> decode) {
        CompletableFuture<T> future = new CompletableFuture<>();
        BatonException failure = broken;
        if (failure != null) {
            future.completeExceptionally(failure);
            return future;
        }
        Channel on = channel;
        pending.put(stream, new Pending<>(future, decode));
        boolean written = write(verb, stream, fields);
        if (broken != null && pending.remove(stream) != null) {
            future.completeExceptionally(broken);
        } else if ((!written || !on.isActive()) && pending.remove(stream) != null) {
            // the channel went before or while this was written, and its loss failed only what was pending then
            BatonException refused = refusal;
            future.completeExceptionally(refused != null ? refused : new ConnectionLostException("the connection to " + address
                    + " was lost as this request was sent; whether the server got it is unknown"));
        }
        return future;
    }

    /**
     * Sends a request the server answers only if it fails (PUBLISH_ASYNC): returns once it is
     * written, or waiting while the connection is more than its write buffer behind. Such a
     * failure comes back later: it is logged, and this method throws it the next time.
     */
    CompletableFuture<Void> sendUnanswered(int verb, Consumer<ByteBuf> fields) {
        BatonException earlier = asyncFailure.getAndSet(null);
        if (earlier != null) return CompletableFuture.failedFuture(earlier);
        if (broken != null) return CompletableFuture.failedFuture(broken);
        if (!connected) return CompletableFuture.failedFuture(new ConnectionLostException("the connection to " + address + " is lost; reconnecting"));
        Channel c = channel;
        Outbox o = outbox;
        if (!o.hasRoom(PUBLISH_AHEAD_BYTES) && !c.eventLoop().inEventLoop()) {
            try {
                awaitRoom(c, o);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.failedFuture(new BatonException("interrupted while waiting to publish", e));
            }
        }
        write(verb, newStream(), fields);
        return DONE;
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** Bytes of asynchronous publishes that may wait to be written before the publisher waits. */
    private static final int PUBLISH_AHEAD_BYTES = 4 << 20;

    private void awaitRoom(Channel c, Outbox o) throws InterruptedException {
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        waitingForRoom.incrementAndGet();
        try {
            synchronized (writable) {
                while (!o.hasRoom(PUBLISH_AHEAD_BYTES) && c.isActive()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new ConnectionLostException("the server at " + address + " has not read for " + connectTimeout.toMillis() + " ms");
                    TimeUnit.NANOSECONDS.timedWait(writable, left);
                }
            }
        } finally {
            waitingForRoom.decrementAndGet();
        }
    }

    /** After the outbox wrote a batch: wakes publishers waiting for room, if any. */
    private void roomMade() {
        if (waitingForRoom.get() == 0) return;
        synchronized (writable) {
            writable.notifyAll();
        }
    }

    /** Sends a request without waiting for its answer; a failure is logged ({@code what} says what it was for). */
    void settle(int verb, Consumer<ByteBuf> fields, String what) {
        request(verb, fields, in -> null).whenComplete((ok, error) -> {
            if (error != null) log.warn("could not {} on {}: {}", what, address, error.toString());
        });
    }

    /**
     * Writes a frame that gets no answer; false if it was dropped. Until the channel is logged in
     * only its HELLO goes out: a frame before it would make the server close the connection for
     * good (NOT_AUTHENTICATED), and anything else then (a REPLY, an ack, a cancel) belonged to
     * the connection before, which the server has forgotten.
     */
    boolean write(int verb, int stream, Consumer<ByteBuf> fields) {
        if (!loggedIn && verb != Verb.HELLO) return false;
        outbox.write(verb, stream, 64, fields);
        return true;
    }

    /**
     * Forgets a request whose caller gave up; true if it was still waiting for its answer. The
     * answer the server may still send (a late reply, or the ERROR to a CANCEL_REQUEST) is then
     * dropped, not taken for the failure of a publish nobody waits for.
     */
    boolean forget(int stream) {
        forgotten.add(stream); // before the removal: an answer coming in between is dropped, not misread
        if (pending.remove(stream) != null) return true;
        forgotten.remove(stream);
        return false;
    }

    /**
     * Opens a stream the server pushes frames on (a subscription, a registration): registers
     * {@code handler}, sends {@code verb} and waits for its OK. Closing the result stops the
     * handler at once and sends {@code closeVerb} without waiting for its answer: it may be closed
     * on the I/O thread, which must never wait for an answer only it can read, or by a function
     * stopping, which must not block. A request the server still routes here meanwhile is
     * answered "nothing serves this here" ({@code refuse}). During a reconnect the close goes out
     * as soon as the new connection is logged in, after any restore it undoes; before that, the
     * stream is simply not restored.
     */
    AutoCloseable openStream(int verb, Consumer<ByteBuf> fields, PushHandler handler, int closeVerb, Duration timeout, String what) {
        int stream = newStream();
        pushes.put(stream, handler);
        try {
            await(request(verb, stream, fields, in -> null), timeout, what);
        } catch (RuntimeException e) {
            pushes.remove(stream);
            throw e;
        }
        restores.put(stream, new Restore(verb, fields, what));
        if (!pushes.containsKey(stream)) restores.remove(stream); // ended by the server right after its OK
        return () -> {
            restores.remove(stream);
            if (pushes.remove(stream) == null) return; // closed already, or ended by the server (SUBSCRIPTION_CLOSED)
            if (broken != null || !loggedIn || !channel.isActive()) return;
            send(closeVerb, newStream(), out -> out.writeInt(stream), in -> null).whenComplete((ok, error) -> {
                if (error != null) log.warn("could not close ({}) on {}: {}", what, address, error.toString());
            });
        };
    }

    /**
     * Sends a request that sets up server-side state (opening a queue or a durable subscription)
     * and remembers it, to send again after a reconnect.
     */
    void openState(String key, int verb, Consumer<ByteBuf> fields, Duration timeout, String what) {
        int stream = newStream();
        await(request(verb, stream, fields, in -> null), timeout, what);
        // one restore per key (a queue opened a thousand times is opened once again), in first-opened order
        Integer first = stateStreams.putIfAbsent(key, stream);
        restores.put(first == null ? stream : first, new Restore(verb, fields, what));
    }

    /** Waits for a request's answer; its failure is rethrown as the Baton exception it is. */
    static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return awaitInterruptibly(future, timeout, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatonException("interrupted while " + what, e);
        }
    }

    /** Waits, keeping the thread's interrupt as an {@link InterruptedException} (for receive). */
    static <T> T awaitInterruptibly(CompletableFuture<T> future, Duration timeout, String what) throws InterruptedException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BatonException b) throw b;
            throw new BatonException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new ConnectionLostException(what + ": no answer from the server within " + timeout.toMillis() + " ms");
        }
    }

    /** Whether {@link #close()} was called. */
    boolean isClosing() {
        return closing;
    }

    boolean isOpen() {
        return broken == null && channel.isActive();
    }

    void close() {
        closing = true;
        setConnected(connected); // wakes anyone waiting for a reconnect
        if (broken == null && channel.isActive()) {
            try {
                await(request(Verb.BYE, out -> { }, in -> null), Duration.ofSeconds(2), "saying BYE");
            } catch (BatonException e) {
                log.debug("BYE to {} failed: {}", address, e.toString());
            }
        }
        fail(new io.baton.BatonClosedException("the connection to " + address + " was closed"));
        channel.close().awaitUninterruptibly(2000);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3000);
    }

    /** Fails every request in flight and the connection for good. */
    private void fail(BatonException failure) {
        if (broken == null) broken = failure;
        setConnected(false);
        failPending(failure);
    }

    private void failPending(BatonException failure) {
        for (Integer stream : pending.keySet()) {
            Pending<?> p = pending.remove(stream);
            if (p != null) p.future.completeExceptionally(failure);
        }
        forgotten.clear(); // the server answers none of them now
    }

    /**
     * Connects again, with exponential backoff (100 ms doubling to 5 s, with jitter), until it
     * works or the connection is closed; then logs in and opens again every queue, durable
     * subscription, subscription and registration this connection had, on the same streams, so
     * their handlers go on. Deliveries not settled before the loss went back to their queues on
     * the server and come again.
     */
    private void reconnect() {
        do {
            try {
                reconnectLoop();
            } finally {
                reconnecting.set(false);
            }
            // the new channel may have gone between its login and the flag's release, unseen by channelInactive
        } while (!closing && broken == null && !(connected && channel.isActive()) && reconnecting.compareAndSet(false, true));
    }

    /** The current channel is gone: fails what waits on it and, once the first login succeeded, reconnects. */
    private void lost() {
        loggedIn = false;
        if (closing || broken != null) {
            fail(new io.baton.BatonClosedException("the connection to " + address + " was closed"));
            return;
        }
        setConnected(false);
        failPending(new ConnectionLostException("lost the connection to the Baton server at " + address
                + "; whether it acted on this request is unknown"));
        if (!started) return; // the first login: it fails, and the constructor throws
        if (!reconnecting.get()) log.warn("lost the connection to {}; reconnecting", address);
        startReconnect();
    }

    /** Starts the reconnect loop unless one runs: that one sees this loss too, as its login failing. */
    private void startReconnect() {
        if (reconnecting.compareAndSet(false, true)) Thread.ofVirtual().name("baton-reconnect").start(this::reconnect);
    }

    private void reconnectLoop() {
        long backoff = 100;
        for (int attempt = 1; !closing && broken == null; attempt++) {
            try {
                Thread.sleep(backoff / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                if (closing || broken != null) return; // closed while this slept
                login();
                log.info("reconnected to {} after {} attempt(s); {} subscriptions and queues restored", address, attempt, restores.size());
                return;
            } catch (AuthenticationException e) {
                log.error("reconnecting to {}: the server refuses the login now; giving up: {}", address, e.getMessage());
                fail(e);
                return;
            } catch (RuntimeException e) { // a BatonException, or anything else: never the end of the loop
                log.debug("reconnecting to {} (attempt {}) failed: {}", address, attempt, e.toString());
                Channel c = channel;
                if (c != null) c.close();
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, 5_000);
        }
    }


    private final class Inbound extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (ctx.channel() != channel) return; // an earlier channel's last frames: its requests were failed already
                if (frame.readableBytes() < Frames.MIN_FRAME) throw new ProtocolException("the server sent a frame shorter than 5 bytes");
                int verb = frame.readUnsignedByte();
                int stream = frame.readInt();
                FrameReader in = new FrameReader(frame);
                switch (verb) {
                    case Verb.OK, Verb.WELCOME -> {
                        if (verb == Verb.WELCOME) loggedIn = true; // frames may go out from here on (a REPLY to a REQUEST right after)
                        Pending<?> p = pending.remove(stream);
                        if (p != null) p.complete(in);
                        else forgotten.remove(stream);
                    }
                    case Verb.ERROR -> error(stream, in);
                    default -> {
                        PushHandler handler = pushes.get(stream);
                        if (verb == Verb.SUBSCRIPTION_CLOSED) { // the server ended it: not to be restored, nor closed
                            handler = pushes.remove(stream); // first: openStream checks it after it adds the restore
                            restores.remove(stream);
                        }
                        if (handler != null) handler.onPush(verb, in);
                        else if (verb == Verb.REQUEST) refuse(in);
                    }
                }
            } catch (RuntimeException e) {
                log.error("a frame from {} could not be handled; closing the connection", address, e);
                fail(new ProtocolException("the server at " + address + " sent a frame this client cannot read: " + e.getMessage(), e));
                ctx.close();
            } finally {
                frame.release();
            }
        }

        /**
         * Answers a REQUEST for a registration closed here before the server heard of it: the
         * caller hears at once that nothing serves the subject, as it would a moment later.
         */
        private void refuse(FrameReader in) {
            long callId = in.i64("callId");
            Envelope request = in.envelope(Integer.MAX_VALUE);
            Envelope refusal = Envelope.rpcError(request.subject(), "no-server", io.baton.NoRespondersException.class.getName(),
                    "'" + request.subject() + "' stopped being served here");
            write(Verb.REPLY, 0, out -> {
                out.writeLong(callId);
                FrameWriter.envelope(out, refusal);
            });
        }

        private void error(int stream, FrameReader in) {
            ErrorCode code = ErrorCode.of(in.u16("error code"));
            String message = in.str("error message");
            BatonException failure = code.toException(message);
            if (stream == 0) {
                if (code == ErrorCode.TOO_MANY_CONNECTIONS || code == ErrorCode.SHUTTING_DOWN) {
                    // for now: the login waiting hears why, and the connection is lost like any other (reconnecting)
                    log.warn("the server at {} closes the connection: {} {}; trying again", address, code, message);
                    refusal = failure; // for a HELLO not yet sent when this came
                    failPending(failure);
                    channel.close();
                    return;
                }
                log.warn("the server at {} closes the connection: {} {}", address, code, message);
                fail(failure);
                return;
            }
            Pending<?> p = pending.remove(stream);
            if (p != null) {
                p.future.completeExceptionally(failure);
            } else if (forgotten.remove(stream)) {
                log.debug("the server at {} answered request {}, given up by its caller: {} {}", address, stream, code, message);
            } else {
                log.warn("the server at {} refused request {}: {} {}", address, stream, code, message);
                asyncFailure.set(failure);
            }
            if (code.closesConnection()) fail(failure);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            synchronized (writable) {
                writable.notifyAll();
            }
            ctx.fireChannelWritabilityChanged();
        }

        /**
         * Nothing read for a ping interval: a PING, whose OK counts as a read. Nothing read for a
         * second interval in a row: the server is gone without closing (a dead host, a partition),
         * and the connection counts as lost.
         */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (!(event instanceof io.netty.handler.timeout.IdleStateEvent idle) || ctx.channel() != channel || !loggedIn) {
                ctx.fireUserEventTriggered(event);
                return;
            }
            if (idle.isFirst()) {
                send(Verb.PING, newStream(), out -> { }, in -> null); // its failure, if any, is the connection's
            } else {
                log.warn("the server at {} has not answered a PING; the connection counts as lost", address);
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            synchronized (writable) {
                writable.notifyAll();
            }
            ctx.fireChannelInactive();
            if (ctx.channel() != channel) return; // an earlier channel, already replaced
            lost();
        }

        /**
         * A transport error (a reset, say, where a server going away sent RST rather than FIN) is a
         * lost connection like any other: the channel closes, and {@link #channelInactive} reconnects.
         * A TLS failure or a frame that cannot be decoded fails the connection for good.
         */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            javax.net.ssl.SSLException tlsFailure = null;
            for (Throwable t = cause; t != null && tlsFailure == null; t = t.getCause()) {
                if (t instanceof javax.net.ssl.SSLException e) tlsFailure = e;
            }
            if (tlsFailure == null && cause instanceof java.io.IOException) {
                log.warn("connection to {} failed: {}", address, cause.toString());
                ctx.close();
                return;
            }
            log.warn("connection to {} failed for good: {}", address, cause.toString());
            fail(tlsFailure != null
                    ? new AuthenticationException("TLS with " + address + " failed: " + tlsFailure.getMessage(), cause)
                    : new ConnectionLostException("the connection to " + address + " failed: " + cause.getMessage(), cause));
            ctx.close();
        }
    }
}
