package io.baton.server;

import io.baton.AuthenticationException;
import io.baton.BatonClosedException;
import io.baton.BatonException;
import io.baton.ConnectionLostException;
import io.baton.PermissionDeniedException;
import io.baton.Overflow;
import io.baton.ProtocolException;
import io.baton.QueueOptions;
import io.baton.QueueStats;
import io.baton.StartPosition;
import io.baton.internal.Subjects;
import io.baton.protocol.ErrorCode;
import io.baton.protocol.FrameReader;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Frames;
import io.baton.protocol.Outbox;
import io.baton.protocol.Verb;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.Delivery;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import io.baton.spi.RpcChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes its frames, runs each verb against the server's backend and
 * writes the answers (docs/protocol.md).
 *
 * <p>Threads: frames are decoded on the connection's event loop, where every verb that cannot
 * block runs. FETCH (which waits for messages), QUEUE and DURABLE (which may write a catalog file)
 * run on virtual threads. SENDs to one queue run in order on a {@link SerialLane}, because a full
 * queue may make a send wait and later sends must not overtake it. Answers are written from any
 * thread; Netty hands them to the event loop.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final BatonServer server;
    private final Backend backend;
    private final int maxPayload;
    /** Bytes waiting to be written past which a subscription is cut off. */
    private final long pendingBound;
    private ChannelHandlerContext ctx;
    /** Every frame this connection writes goes through here, in order, batched per event-loop turn. */
    private Outbox outbox;
    private boolean admitted;
    private volatile boolean authenticated;
    /** Set once by HELLO; from then on every verb checks its permissions. */
    private volatile Authenticator.Identity identity;
    private boolean helloSeen;
    /** While the login is checked (off the I/O thread), frames that came after HELLO wait here, in order (I/O thread only). */
    private boolean loggingIn;
    private final java.util.ArrayDeque<ByteBuf> heldFrames = new java.util.ArrayDeque<>();
    private int heldBytes;
    /** Requests read and not yet answered: BYE closes once this is zero. */
    private final java.util.concurrent.atomic.AtomicInteger unanswered = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean byeReceived;
    /** What this connection's user was allowed so far, per action and name (used on the I/O thread only). */
    private final Map<Permissions.Action, Map<String, Boolean>> allowed = new java.util.EnumMap<>(Permissions.Action.class);
    private volatile boolean closed;
    private ScheduledFuture<?> loginTimer;

    private final Map<String, QueueChannel> queues = new ConcurrentHashMap<>();
    private final Map<String, DeliverySource> durables = new ConcurrentHashMap<>();
    private final Map<String, SerialLane> sendLanes = new ConcurrentHashMap<>();
    /** Tokens delivered on this connection and not yet settled, per source: returned to their queue if it closes. */
    private final Map<DeliverySource, Set<Long>> leased = new ConcurrentHashMap<>();
    private final Map<Integer, AutoCloseable> subscriptions = new ConcurrentHashMap<>();
    private final Map<Integer, AutoCloseable> registrations = new ConcurrentHashMap<>();
    /** Calls handed to this connection's handlers and not answered yet, by call id. */
    private final Map<Long, CallInFlight> callsInFlight = new ConcurrentHashMap<>();

    private record CallInFlight(String subject, RpcChannel.Reply reply) {}
    /** CALLs this connection made that are not answered yet, by stream: CANCEL_REQUEST cancels them. */
    private final Map<Integer, CompletableFuture<Envelope>> callsMade = new ConcurrentHashMap<>();
    /** Threads waiting in FETCH, by stream: interrupted by CANCEL_REQUEST, BYE, or the connection closing. */
    private final Map<Integer, Thread> fetching = new ConcurrentHashMap<>();
    /** FETCHes one connection may have waiting at once: each holds a (virtual) thread. */
    static final int MAX_FETCHES = 1024;
    private final java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong nextCallId = new AtomicLong();
    /**
     * The publish this thread is handling: its envelope and where in its frame it came. A
     * subscription fed on the same thread (the mem: backend fans out on the publisher's thread)
     * copies those bytes into its MESSAGE rather than encoding the envelope again. One per thread,
     * reused: a publish allocates nothing for it.
     */
    private static final class Incoming {
        private Envelope envelope;
        private FrameReader frame;
        private int from;
        private int to;

        /** The bytes {@code e} came in as, if it is the publish this thread is handling; else null. */
        ByteBuffer encoded(Envelope e) {
            return e == envelope ? frame.encoded(from, to) : null;
        }
    }

    private static final FastThreadLocal<Incoming> INCOMING = new FastThreadLocal<>() {
        @Override
        protected Incoming initialValue() {
            return new Incoming();
        }
    };
    /** The subject of the last publish that passed its checks (I/O thread only). */
    private String lastPublished;

    ServerConnection(BatonServer server) {
        this.server = server;
        this.backend = server.backend();
        this.maxPayload = server.options().maxPayloadBytes();
        this.pendingBound = server.options().subscriberPendingBytes();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.outbox = new Outbox(ctx.channel(), null);
        if (server.closing()) {
            sendError(0, ErrorCode.SHUTTING_DOWN, "the server is shutting down");
            return;
        }
        admitted = server.admit();
        if (!admitted) {
            server.metrics().rejectedConnections.incrementAndGet();
            log.warn("refused a connection from {}: {} connections is the limit", ctx.channel().remoteAddress(), server.options().maxConnections());
            sendError(0, ErrorCode.TOO_MANY_CONNECTIONS, "the server has " + server.options().maxConnections() + " connections, its limit");
            return;
        }
        long timeout = server.options().loginTimeout().toMillis();
        loginTimer = ctx.executor().schedule(() -> {
            if (!authenticated) {
                log.warn("closed a connection from {}: no HELLO within {} ms", ctx.channel().remoteAddress(), timeout);
                sendError(0, ErrorCode.NOT_AUTHENTICATED, "no HELLO within " + timeout + " ms");
            }
        }, timeout, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (loggingIn) {
            heldBytes += frame.readableBytes();
            if (heldBytes > Frames.maxFrameBytes(maxPayload)) {
                frame.release();
                protocolError(ErrorCode.MALFORMED, "more than " + Frames.maxFrameBytes(maxPayload) + " bytes sent before WELCOME");
                return;
            }
            heldFrames.add(frame);
            return;
        }
        int stream = 0;
        try {
            if (frame.readableBytes() < Frames.MIN_FRAME) {
                throw new ProtocolException("a frame of " + frame.readableBytes() + " bytes is shorter than its verb and stream (" + Frames.MIN_FRAME + ")");
            }
            int verb = frame.readUnsignedByte();
            stream = frame.readInt();
            handle(verb, stream, new FrameReader(frame));
        } catch (ProtocolException e) {
            protocolError(ErrorCode.MALFORMED, e.getMessage());
        } catch (FrameReader.PayloadTooLargeFrameException e) {
            sendError(stream, ErrorCode.PAYLOAD_TOO_LARGE, e.getMessage()); // the frame was read whole: the connection goes on
        } catch (RuntimeException e) {
            fail(stream, e);
        } finally {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            protocolError(ErrorCode.FRAME_TOO_LARGE, "a frame is over the limit of " + server.options().maxPayloadBytes()
                    + " bytes of payload: " + cause.getMessage());
        } else if (cause instanceof java.io.IOException) {
            ctx.close(); // the peer went away
        } else {
            protocolError(ErrorCode.MALFORMED, String.valueOf(cause.getMessage()));
        }
    }

    private void protocolError(ErrorCode code, String message) {
        server.metrics().protocolErrors.incrementAndGet();
        log.warn("protocol error from {}: {}", ctx.channel().remoteAddress(), message);
        sendError(0, code, message);
    }

    private void handle(int verb, int stream, FrameReader in) {
        boolean answered = verb != Verb.REPLY && verb != Verb.CANCEL_REQUEST && verb != Verb.PUBLISH_ASYNC;
        if ((answered || verb == Verb.PUBLISH_ASYNC) && stream == 0 && (authenticated || verb == Verb.HELLO)) {
            throw new ProtocolException(Verb.name(verb) + " on stream 0: a request needs a stream id of its own");
        }
        if (byeReceived) throw new ProtocolException(Verb.name(verb) + " after BYE");
        if (answered) unanswered.incrementAndGet();
        if (!authenticated) {
            if (verb != Verb.HELLO) {
                server.metrics().protocolErrors.incrementAndGet();
                log.warn("closed a connection from {}: {} before HELLO", ctx.channel().remoteAddress(), Verb.name(verb));
                sendError(stream, ErrorCode.NOT_AUTHENTICATED, Verb.name(verb) + " before HELLO: log in first");
                return;
            }
            hello(stream, in);
            return;
        }
        switch (verb) {
            case Verb.PING -> { in.end(); ok(stream); }
            case Verb.BYE -> {
                in.end();
                byeReceived = true;
                fetching.values().forEach(Thread::interrupt); // a FETCH still waiting answers now, so the goodbye is not held up
                ok(stream); // closes once every earlier request is answered too
            }
            case Verb.QUEUE -> queue(stream, in);
            case Verb.SEND -> send(stream, in);
            case Verb.FETCH -> fetch(stream, in);
            case Verb.ACK -> ack(stream, in);
            case Verb.NACK -> nack(stream, in);
            case Verb.RELEASE -> release(stream, in);
            case Verb.EXTEND -> extend(stream, in);
            case Verb.STATS -> stats(stream, in);
            case Verb.PUBLISH -> publish(stream, in, true);
            case Verb.PUBLISH_ASYNC -> publish(stream, in, false);
            case Verb.SUBSCRIBE -> subscribe(stream, in);
            case Verb.UNSUBSCRIBE -> close(subscriptions, stream, in);
            case Verb.DURABLE -> durable(stream, in);
            case Verb.SERVE -> serve(stream, in);
            case Verb.UNSERVE -> close(registrations, stream, in);
            case Verb.CALL -> call(stream, in);
            case Verb.REPLY -> reply(in);
            case Verb.CANCEL_REQUEST -> {
                in.end();
                CompletableFuture<Envelope> call = callsMade.remove(stream);
                if (call != null) call.cancel(true); // reaches the serving side's cancel hooks
                Thread fetch = fetching.get(stream);
                if (fetch != null) fetch.interrupt(); // it answers with what it has, maybe nothing
            }
            case Verb.HELLO -> throw new ProtocolException("HELLO twice");
            default -> {
                server.metrics().protocolErrors.incrementAndGet();
                sendError(0, ErrorCode.UNKNOWN_VERB, "verb " + Verb.name(verb) + " is not in protocol version " + Verb.PROTOCOL_VERSION);
            }
        }
    }

    // ---- handshake --------------------------------------------------------------------------------

    private void hello(int stream, FrameReader in) {
        if (helloSeen) throw new ProtocolException("a second HELLO while the first is being checked");
        helloSeen = true;
        int version = in.u16("protocol version");
        in.str("client name");
        int method = in.u8("auth method");
        String token = null;
        String user = null;
        String password = null;
        switch (method) {
            case 0 -> { }
            case 1 -> token = in.str("token");
            case 2 -> {
                user = in.str("user");
                password = in.str("password");
            }
            default -> throw in.malformed("auth method must be 0, 1 or 2, not " + method);
        }
        in.end();
        if (version != Verb.PROTOCOL_VERSION) {
            sendError(stream, ErrorCode.UNSUPPORTED_VERSION, "this server speaks protocol version " + Verb.PROTOCOL_VERSION + ", not " + version);
            return;
        }
        String t = token;
        String u = user;
        String p = password;
        // A password check is slow on purpose: never on the I/O thread. Until it is done, reading
        // stops and frames already read wait, so that nothing is served before WELCOME.
        loggingIn = true;
        ctx.channel().config().setAutoRead(false);
        Thread.ofVirtual().name("baton-login").start(() -> {
            try {
                Authenticator.Identity who = server.options().authenticator().authenticate(method, t, u, p);
                ctx.executor().execute(() -> loggedIn(stream, who));
            } catch (AuthenticationException e) {
                ctx.executor().execute(() -> loginFailed(stream, e));
            }
        });
    }

    private void loggedIn(int stream, Authenticator.Identity who) {
        identity = who;
        authenticated = true;
        if (loginTimer != null) loginTimer.cancel(false);
        log.debug("{} logged in from {}", who.name(), ctx.channel().remoteAddress());
        int capabilities = 0;
        for (Capability c : backend.capabilities()) capabilities |= 1 << c.ordinal();
        int caps = capabilities;
        answer(Verb.WELCOME, stream, 64, out -> {
            out.writeShort(Verb.PROTOCOL_VERSION);
            FrameWriter.str(out, server.options().serverName());
            out.writeInt(maxPayload);
            out.writeInt(Frames.maxFrameBytes(maxPayload));
            out.writeInt(caps);
        });
        loggingIn = false;
        ByteBuf held;
        while ((held = heldFrames.poll()) != null) {
            heldBytes -= held.readableBytes();
            if (ctx.channel().isActive()) channelRead(ctx, held);
            else held.release();
        }
        ctx.channel().config().setAutoRead(true);
    }

    private void loginFailed(int stream, AuthenticationException e) {
        loggingIn = false;
        releaseHeldFrames();
        server.metrics().authenticationFailures.incrementAndGet();
        log.warn("authentication failed from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
        sendError(stream, ErrorCode.AUTHENTICATION_FAILED, e.getMessage());
    }

    private void releaseHeldFrames() {
        ByteBuf held;
        while ((held = heldFrames.poll()) != null) held.release();
        heldBytes = 0;
    }

    /** Throws {@link PermissionDeniedException} (and logs it) unless this connection's user may do {@code action} on {@code name}. */
    private void require(Permissions.Action action, String name) {
        Map<String, Boolean> known = allowed.computeIfAbsent(action, a -> new HashMap<>());
        Boolean ok = known.get(name);
        if (ok == null) {
            ok = identity.permissions().allows(action, name);
            if (known.size() < 10_000) known.put(name, ok); // bounded: a client inventing names cannot grow it
        }
        if (ok) return;
        server.metrics().permissionDenials.incrementAndGet();
        String why = "user '" + identity.name() + "' may not " + action.name().toLowerCase(java.util.Locale.ROOT) + " '" + name + "'";
        log.warn("{} ({})", why, ctx.channel().remoteAddress());
        throw new PermissionDeniedException(why);
    }

    /** Queues may be opened by whoever may send to them or consume from them. */
    private void requireSendOrConsume(String name) {
        if (!identity.permissions().allows(Permissions.Action.SEND, name)) require(Permissions.Action.CONSUME, name);
    }

    // ---- queues -----------------------------------------------------------------------------------

    private void queue(int stream, FrameReader in) {
        String name = in.str("queue");
        long maxLength = in.i64("maxLength");
        long maxBytes = in.i64("maxBytes");
        int overflow = in.u8("overflow");
        long blockTimeout = in.i64("blockTimeoutMillis");
        long dedupeWindow = in.i64("dedupeWindowMillis");
        in.end();
        if (overflow >= Overflow.values().length) throw in.malformed("overflow must be 0..2, not " + overflow);
        Subjects.checkQueueName(name);
        requireSendOrConsume(name);
        QueueOptions options;
        try {
            options = QueueOptions.builder().maxLength(maxLength).maxBytes(maxBytes).overflow(Overflow.values()[overflow])
                    .blockTimeout(Duration.ofMillis(blockTimeout)).dedupeWindow(Duration.ofMillis(dedupeWindow)).build();
        } catch (IllegalArgumentException e) {
            throw in.malformed("invalid queue options: " + e.getMessage());
        }
        offload(stream, () -> {
            queues.put(name, backend.queue(name, options));
            server.metrics().queueUsed(name);
            ok(stream);
        });
    }

    private QueueChannel queueNamed(String name) {
        QueueChannel q = queues.get(name);
        if (q != null) return q;
        Subjects.checkQueueName(name);
        return queues.computeIfAbsent(name, n -> {
            server.metrics().queueUsed(n);
            return backend.queue(n, QueueOptions.defaults());
        });
    }

    private void send(int stream, FrameReader in) {
        String name = in.str("queue");
        long deliverAt = in.i64("deliverAt");
        Envelope envelope = in.envelope(maxPayload);
        in.end();
        Subjects.checkQueueName(name);
        require(Permissions.Action.SEND, name);
        sendLanes.computeIfAbsent(name, n -> new SerialLane()).submit(() -> {
            try {
                queueNamed(name).send(envelope, deliverAt).whenComplete((ok, error) -> {
                    if (error == null) server.metrics().sentTo(name);
                    answer(stream, error);
                });
            } catch (RuntimeException e) {
                fail(stream, e);
            }
        });
    }

    /** A FETCH's or settle's source, read from the frame; looked up only once the whole frame is read. */
    private record SourceRef(int kind, String name) {}

    private static SourceRef sourceRef(FrameReader in) {
        int kind = in.u8("source");
        String name = in.str("source name");
        if (kind != Verb.SOURCE_QUEUE && kind != Verb.SOURCE_DURABLE) {
            throw in.malformed("source must be 0 (queue) or 1 (durable subscription), not " + kind);
        }
        return new SourceRef(kind, name);
    }

    private DeliverySource source(SourceRef ref) {
        int kind = ref.kind();
        String name = ref.name();
        return switch (kind) {
            case Verb.SOURCE_QUEUE -> {
                Subjects.checkQueueName(name);
                require(Permissions.Action.CONSUME, name);
                yield queueNamed(name);
            }
            case Verb.SOURCE_DURABLE -> {
                DeliverySource d = durables.get(name);
                if (d == null) throw new UnknownException("durable subscription '" + name + "' is not open on this connection: send DURABLE first");
                yield d;
            }
            default -> throw new IllegalStateException("checked in sourceRef: " + kind);
        };
    }

    private void fetch(int stream, FrameReader in) {
        SourceRef ref = sourceRef(in);
        int max = in.u16("max");
        if (max < 1 || max > Verb.MAX_FETCH) throw in.malformed("max must be 1.." + Verb.MAX_FETCH + ", not " + max);
        Duration wait = Duration.ofMillis(in.u32("waitMillis", 0, Integer.MAX_VALUE));
        Duration lease = Duration.ofMillis(in.u32("leaseMillis", 1, Integer.MAX_VALUE));
        long[] acks = in.tokens();
        in.end();
        DeliverySource source = source(ref);
        Set<Long> tokens = leased(source);
        if (fetches.incrementAndGet() > MAX_FETCHES) {
            fetches.decrementAndGet();
            sendError(stream, ErrorCode.TOO_MANY_REQUESTS, MAX_FETCHES + " FETCHes are already waiting on this connection");
            return;
        }
        offload(stream, () -> {
          try {
            for (long t : acks) tokens.remove(t);
            List<Delivery> got;
            fetching.put(stream, Thread.currentThread());
            var waiting = server.metrics().consumersOf(source.name());
            waiting.incrementAndGet();
            try {
                if (closed) return;
                got = source.ackAndReceive(acks, acks.length, max, wait, lease);
            } catch (InterruptedException e) {
                if (closed) return;
                got = List.of(); // cancelled by the client, or BYE: answered with nothing
            } finally {
                waiting.decrementAndGet();
                fetching.remove(stream);
                Thread.interrupted(); // an interrupt that came after the receive must not reach the next work
            }
            for (Delivery d : got) tokens.add(d.token());
            if (closed) { // the connection went while this FETCH waited: nobody will get these
                for (Delivery d : got) {
                    if (tokens.remove(d.token())) source.release(d.token());
                }
                return;
            }
            List<Delivery> delivered = got;
            int size = 2;
            for (Delivery d : delivered) size += 20 + FrameWriter.estimate(d.envelope());
            answer(Verb.OK, stream, size, out -> {
                out.writeShort(delivered.size());
                for (Delivery d : delivered) {
                    out.writeLong(d.token());
                    out.writeLong(d.sequence());
                    out.writeInt(d.attempt());
                    FrameWriter.envelope(out, d.envelope());
                }
            });
          } finally {
            fetches.decrementAndGet();
          }
        });
    }

    private Set<Long> leased(DeliverySource source) {
        return leased.computeIfAbsent(source, s -> ConcurrentHashMap.newKeySet());
    }

    private void ack(int stream, FrameReader in) {
        SourceRef ref = sourceRef(in);
        long[] tokens = in.tokens();
        in.end();
        DeliverySource source = source(ref);
        Set<Long> held = leased(source);
        for (long t : tokens) held.remove(t);
        source.ack(tokens, tokens.length);
        ok(stream);
    }

    private void nack(int stream, FrameReader in) {
        SourceRef ref = sourceRef(in);
        long token = in.i64("token");
        long delay = in.u32("delayMillis");
        in.end();
        DeliverySource source = source(ref);
        leased(source).remove(token);
        source.nack(token, Duration.ofMillis(delay));
        ok(stream);
    }

    private void release(int stream, FrameReader in) {
        SourceRef ref = sourceRef(in);
        long token = in.i64("token");
        in.end();
        DeliverySource source = source(ref);
        leased(source).remove(token);
        source.release(token);
        ok(stream);
    }

    private void extend(int stream, FrameReader in) {
        SourceRef ref = sourceRef(in);
        long token = in.i64("token");
        long lease = in.u32("leaseMillis", 1, Integer.MAX_VALUE);
        in.end();
        DeliverySource source = source(ref);
        boolean extended = source.extend(token, Duration.ofMillis(lease));
        answer(Verb.OK, stream, 1, out -> out.writeByte(extended ? 1 : 0));
    }

    private void stats(int stream, FrameReader in) {
        String name = in.str("queue");
        in.end();
        Subjects.checkQueueName(name);
        requireSendOrConsume(name);
        QueueStats s = queueNamed(name).stats();
        answer(Verb.OK, stream, 64, out -> out.writeLong(s.waiting()).writeLong(s.inFlight()).writeLong(s.sent()).writeLong(s.acked())
                .writeLong(s.redelivered()).writeLong(s.dropped()).writeLong(s.rejected()).writeLong(s.duplicates()));
    }

    // ---- topics -----------------------------------------------------------------------------------

    /** PUBLISH (answered) or PUBLISH_ASYNC (only a failure is answered, and it is not counted as an answer). */
    private void publish(int stream, FrameReader in, boolean answered) {
        Envelope envelope;
        int from = in.position();
        int to;
        try {
            envelope = in.envelope(maxPayload);
            to = in.position();
            in.end();
            if (!envelope.subject().equals(lastPublished)) { // a publisher mostly repeats its subject: checked once in a row
                Subjects.checkSubject(envelope.subject());
                require(Permissions.Action.PUBLISH, envelope.subject());
                lastPublished = envelope.subject();
            }
        } catch (BatonException e) {
            if (answered || e instanceof ProtocolException) throw e;
            failUnanswered(stream, e);
            return;
        }
        CompletableFuture<Void> published;
        Incoming incoming = INCOMING.get();
        incoming.envelope = envelope;
        incoming.frame = in;
        incoming.from = from;
        incoming.to = to;
        try {
            published = backend.topics().publish(envelope);
        } finally {
            incoming.envelope = null; // the frame is released after this: nothing may read it
            incoming.frame = null;
        }
        published.whenComplete((ok, error) -> {
            if (error == null) server.metrics().published.increment();
            if (answered) answer(stream, error);
            else if (error != null) failUnanswered(stream, error);
        });
    }

    /** An ERROR for a request that otherwise gets no answer (PUBLISH_ASYNC). */
    private void failUnanswered(int stream, Throwable error) {
        unanswered.incrementAndGet(); // fail() counts it as answered
        fail(stream, error);
    }

    private void subscribe(int stream, FrameReader in) {
        String pattern = in.str("pattern");
        in.end();
        Subjects.checkPattern(pattern);
        require(Permissions.Action.SUBSCRIBE, pattern);
        if (subscriptions.containsKey(stream)) throw new ProtocolException("subscription " + stream + " exists on this connection");
        int id = stream;
        AutoCloseable[] self = new AutoCloseable[1];
        self[0] = backend.topics().subscribe(pattern, (envelope, seq) -> {
            if (closed) return;
            if (!outbox.hasRoom(pendingBound)) { // the connection is past its pending-bytes bound: cut this subscription off
                cutOff(id, self[0], pattern);
                return;
            }
            ByteBuffer encoded = INCOMING.get().encoded(envelope);
            write(Verb.MESSAGE, id, 8 + (encoded != null ? encoded.remaining() : FrameWriter.estimate(envelope)), out -> {
                out.writeLong(seq);
                if (encoded != null) out.writeBytes(encoded);
                else FrameWriter.envelope(out, envelope);
            });
        });
        subscriptions.put(id, self[0]);
        ok(stream);
    }

    private void cutOff(int id, AutoCloseable subscription, String pattern) {
        if (subscriptions.remove(id, subscription)) {
            closeQuietly(subscription);
            server.metrics().slowConsumersCutOff.incrementAndGet();
            String why = "subscription to '" + pattern + "' cut off: the connection fell more than "
                    + server.options().subscriberPendingBytes() + " bytes behind";
            log.warn("{}: {}", ctx.channel().remoteAddress(), why);
            write(Verb.SUBSCRIPTION_CLOSED, id, out -> {
                out.writeShort(ErrorCode.SLOW_CONSUMER.code());
                FrameWriter.str(out, why);
            });
        }
    }

    private void durable(int stream, FrameReader in) {
        String name = in.str("name");
        String pattern = in.str("pattern");
        int kind = in.u8("start");
        long sequence = in.i64("sequence");
        long time = in.i64("timeMillis");
        in.end();
        Subjects.checkQueueName(name);
        Subjects.checkPattern(pattern);
        require(Permissions.Action.SUBSCRIBE, pattern);
        StartPosition start = switch (kind) {
            case 0 -> StartPosition.NEW;
            case 1 -> StartPosition.EARLIEST;
            case 2 -> {
                if (sequence < 1) throw in.malformed("a SEQUENCE start needs a sequence of at least 1, not " + sequence);
                yield StartPosition.sequence(sequence);
            }
            case 3 -> StartPosition.time(Instant.ofEpochMilli(time));
            default -> throw in.malformed("start must be 0..3, not " + kind);
        };
        offload(stream, () -> {
            durables.put(name, backend.topics().durable(name, pattern, start));
            ok(stream);
        });
    }

    // ---- RPC --------------------------------------------------------------------------------------

    private void serve(int stream, FrameReader in) {
        String subject = in.str("subject");
        in.end();
        Subjects.checkSubject(subject);
        require(Permissions.Action.SERVE, subject);
        if (registrations.containsKey(stream)) throw new ProtocolException("registration " + stream + " exists on this connection");
        int id = stream;
        AutoCloseable registration = backend.rpc().serve(subject, (request, reply) -> {
            if (closed) return;
            long callId = nextCallId.incrementAndGet();
            callsInFlight.put(callId, new CallInFlight(subject, reply));
            reply.onCancel(() -> {
                if (callsInFlight.remove(callId) != null && !closed) write(Verb.CANCEL, id, out -> out.writeLong(callId));
            });
            write(Verb.REQUEST, id, 8 + FrameWriter.estimate(request), out -> {
                out.writeLong(callId);
                FrameWriter.envelope(out, request);
            });
        });
        registrations.put(id, registration);
        ok(stream);
    }

    private void call(int stream, FrameReader in) {
        int timeout = in.u32("timeoutMillis", 1, Integer.MAX_VALUE);
        Envelope request = in.envelope(maxPayload);
        in.end();
        Subjects.checkSubject(request.subject());
        require(Permissions.Action.CALL, request.subject());
        long started = System.nanoTime();
        CompletableFuture<Envelope> call = backend.rpc().request(request, Duration.ofMillis(timeout));
        callsMade.put(stream, call);
        // the deadline is enforced here, so the serving side is cancelled even if the caller is gone.
        // The timer is the event loop's own: set here, and cancelled here when the reply comes on
        // this loop, it wakes no other thread, where orTimeout's shared timer thread was woken by
        // every call
        String subject = request.subject();
        ScheduledFuture<?> deadline = ctx.executor().schedule(
                () -> call.completeExceptionally(new TimeoutException("no reply from '" + subject + "' within " + timeout + " ms")), timeout, TimeUnit.MILLISECONDS);
        call.whenComplete((response, error) -> {
            deadline.cancel(false);
            callsMade.remove(stream, call);
            server.metrics().callTook((System.nanoTime() - started) / 1_000);
            if (error != null) {
                fail(stream, error);
                return;
            }
            answer(Verb.OK, stream, FrameWriter.estimate(response), out -> FrameWriter.envelope(out, response));
        });
    }

    private void reply(FrameReader in) {
        long callId = in.i64("callId");
        Envelope response = in.envelope(maxPayload);
        in.end();
        CallInFlight call = callsInFlight.remove(callId);
        if (call != null) call.reply().send(response); // else: cancelled or unknown, ignored as the protocol says
    }

    /** The reply to a call whose server's connection closed while it had the call. */
    private static Envelope serverLost(String subject) {
        return Envelope.rpcError(subject, null, ConnectionLostException.class.getName(),
                "the server of '" + subject + "' lost its connection while it had this call; whether it acted on it is unknown");
    }

    private void close(Map<Integer, AutoCloseable> registry, int stream, FrameReader in) {
        long id = in.u32("id");
        in.end();
        AutoCloseable c = registry.remove((int) id);
        if (c == null) throw new UnknownException("no subscription or registration " + id + " on this connection");
        closeQuietly(c);
        ok(stream);
    }

    // ---- answers ----------------------------------------------------------------------------------

    /** Runs {@code work} on a virtual thread; its failure is the answer. */
    private void offload(int stream, Work work) {
        Thread.ofVirtual().name("baton-conn-work").start(() -> {
            try {
                work.run();
            } catch (InterruptedException e) {
                // the connection closed (or the server is closing) while this waited
                if (!closed) fail(stream, new BatonClosedException("the server is shutting down"));
            } catch (RuntimeException e) {
                fail(stream, e);
            }
        });
    }

    @FunctionalInterface
    private interface Work {
        void run() throws InterruptedException;
    }

    private void answer(int stream, Throwable error) {
        if (error == null) ok(stream);
        else fail(stream, error);
    }

    private void ok(int stream) {
        answer(Verb.OK, stream, 0, out -> { });
    }

    /** Writes the answer to request {@code stream}; after BYE, closes once every request is answered. */
    private void answer(int verb, int stream, int sizeHint, Consumer<ByteBuf> fields) {
        write(verb, stream, sizeHint, fields);
        answered();
    }

    private void answered() {
        if (unanswered.decrementAndGet() == 0 && byeReceived) {
            // after the answers: the outbox writes them, then closes
            outbox.close();
        }
    }

    private void fail(int stream, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof java.util.concurrent.CancellationException) { // CANCEL_REQUEST: the caller gave up and reads no answer
            sendError(stream, ErrorCode.DEADLINE_EXCEEDED, "cancelled by the caller");
            return;
        }
        ErrorCode code = cause instanceof UnknownException ? ErrorCode.UNKNOWN
                : cause instanceof java.util.concurrent.TimeoutException ? ErrorCode.DEADLINE_EXCEEDED
                : ErrorCode.forException(cause);
        if (code == ErrorCode.INTERNAL) log.error("request {} from {} failed", stream, ctx.channel().remoteAddress(), cause);
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        sendError(stream, code, message);
    }

    private void sendError(int stream, ErrorCode code, String message) {
        if (!ctx.channel().isActive()) return;
        String text = message.length() > 4000 ? message.substring(0, 4000) + "..." : message;
        Consumer<ByteBuf> fields = out -> {
            out.writeShort(code.code());
            FrameWriter.str(out, text);
        };
        if (stream == 0 || code.closesConnection()) {
            outbox.writeAndClose(Verb.ERROR, stream, 8 + text.length() * 3, fields);
        } else {
            outbox.write(Verb.ERROR, stream, 8 + text.length() * 3, fields);
            answered();
        }
    }

    private void write(int verb, int stream, Consumer<ByteBuf> fields) {
        write(verb, stream, 64, fields);
    }

    private void write(int verb, int stream, int sizeHint, Consumer<ByteBuf> fields) {
        if (!ctx.channel().isActive()) return;
        outbox.write(verb, stream, sizeHint, fields);
    }

    // ---- closing ----------------------------------------------------------------------------------

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        releaseHeldFrames();
        if (loginTimer != null) loginTimer.cancel(false);
        if (admitted) server.released();
        subscriptions.values().forEach(ServerConnection::closeQuietly);
        registrations.values().forEach(ServerConnection::closeQuietly);
        subscriptions.clear();
        registrations.clear();
        // the calls this connection's handlers had get no reply now: their callers hear so at once, not at their deadlines
        for (Long callId : callsInFlight.keySet()) {
            CallInFlight call = callsInFlight.remove(callId);
            if (call != null) call.reply().send(serverLost(call.subject()));
        }
        callsMade.values().forEach(call -> call.cancel(true));
        callsMade.clear();
        fetching.values().forEach(Thread::interrupt);
        // deliveries never settled go back to their queue, counted as an attempt, like an expired lease
        leased.forEach((source, tokens) -> {
            for (Long token : List.copyOf(tokens)) {
                if (!tokens.remove(token)) continue; // a FETCH thread returned it already
                try {
                    source.nack(token, Duration.ZERO);
                } catch (RuntimeException e) {
                    log.debug("could not return a delivery of {}: {}", source.name(), e.toString());
                }
            }
        });
        super.channelInactive(ctx);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("closing {} failed: {}", c, e.toString());
        }
    }

    /** No such subscription, registration or source on this connection. */
    static final class UnknownException extends BatonException {
        private static final long serialVersionUID = 1L;

        UnknownException(String message) {
            super(message);
        }
    }
}
