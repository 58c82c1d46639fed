package io.baton.server;

import static org.awaitility.Awaitility.await;

import io.baton.protocol.Frames;
import io.baton.protocol.Verb;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.awaitility.pollinterval.IterativePollInterval;

/**
 * One server connection without a socket: the server's own pipeline ({@link Frames#decoder} and a
 * {@link ServerConnection} of a real {@link BatonServer}) in an {@link EmbeddedChannel}, fed bytes
 * in whatever pieces a test chooses, with a {@link CountingAllocator} as its allocator (the bytes fed
 * are the test's own buffers: the allocator sees what the server asks for beyond them).
 *
 * <p>Threads: the thread that creates it is its event loop; {@link #feed} and {@link #pump} run
 * there. The server also writes answers from virtual threads (login, FETCH, QUEUE, sends), and an
 * EmbeddedChannel would run those writes on the calling thread; so the head of the pipeline takes
 * every outbound frame itself (copies and releases it, thread-safe) and defers a close asked for
 * on another thread to the next {@link #pump}.
 */
final class EmbeddedConnection implements AutoCloseable {
    private final EmbeddedChannel channel;
    private final CountingAllocator allocator = new CountingAllocator();
    private final Thread owner = Thread.currentThread();
    private final ConcurrentLinkedQueue<Runnable> deferred = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ServerFrame> answers = new ConcurrentLinkedQueue<>();
    private final AtomicLong answeredBytes = new AtomicLong();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private long received;

    private static final Duration MAX_POLL = Duration.ofMillis(5);

    EmbeddedConnection(BatonServer server) {
        int maxFrame = Frames.maxFrameBytes(server.options().maxPayloadBytes());
        channel = new EmbeddedChannel(false, false, new Head(), Frames.decoder(maxFrame), new ServerConnection(server)) {
            private EventLoop threadSafe;

            /**
             * The embedded loop's task queue is a plain ArrayDeque, and the server hands tasks to
             * its connection's loop from virtual threads (an answer's drain, say): a task given from
             * another thread waits in {@link #deferred} for the next {@link #pump} instead, where one
             * lost in a race would leave its buffers held for good.
             */
            @Override
            public EventLoop eventLoop() {
                if (threadSafe == null) threadSafe = threadSafe(super.eventLoop());
                return threadSafe;
            }
        };
        channel.config().setAllocator(allocator);
        try {
            channel.register(); // now, with the allocator set: channelActive admits the connection
        } catch (Exception e) {
            throw new AssertionError("cannot register the embedded channel", e);
        }
    }

    private EventLoop threadSafe(EventLoop loop) {
        return (EventLoop) Proxy.newProxyInstance(EventLoop.class.getClassLoader(), new Class<?>[] {EventLoop.class}, (proxy, method, args) -> {
            if (method.getName().equals("execute") && args != null && args.length == 1 && Thread.currentThread() != owner) {
                deferred.add((Runnable) args[0]);
                return null;
            }
            try {
                return method.invoke(loop, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /** Delivers {@code bytes[from, to)} as one read and runs what it left for the event loop; false if the connection was closed already. */
    boolean feed(byte[] bytes, int from, int to) {
        pump();
        if (!channel.isOpen()) return false;
        received += to - from;
        channel.writeInbound(Unpooled.copiedBuffer(bytes, from, to - from));
        pump();
        return true;
    }

    boolean feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    /** Runs closes asked for on other threads and the event loop's tasks. */
    void pump() {
        do {
            Runnable r;
            while ((r = deferred.poll()) != null) r.run();
            channel.runPendingTasks();
        } while (!deferred.isEmpty());
    }

    /** Waits (pumping) until {@code condition} holds. */
    void awaitUntil(String what, Duration atMost, BooleanSupplier condition) {
        pump();
        if (condition.getAsBoolean()) return;
        // most waits end within microseconds (a login, a send on a virtual thread): poll fast, then back off
        await(what).pollInSameThread().pollDelay(Duration.ZERO).atMost(atMost)
                .pollInterval(new IterativePollInterval(d -> d.compareTo(MAX_POLL) >= 0 ? MAX_POLL : d.multipliedBy(2), Duration.ofNanos(10_000)))
                .until(() -> {
                    pump();
                    return condition.getAsBoolean();
                });
    }

    /** Waits until the server has sent at least {@code count} frames; returns them all. */
    List<ServerFrame> awaitAnswers(int count) {
        awaitUntil(count + " answers", Duration.ofSeconds(10), () -> answers.size() >= count);
        return answers();
    }

    /** Logs in (no credentials) and waits for the WELCOME: the server checks a login off the event loop. */
    ServerFrame hello() {
        feed(ClientFrames.hello(1).frame());
        ServerFrame welcome = awaitAnswers(1).get(0);
        if (welcome.verb() != Verb.WELCOME) throw new AssertionError("HELLO was answered with " + welcome);
        return welcome;
    }

    List<ServerFrame> answers() {
        return new ArrayList<>(answers);
    }

    int answerCount() {
        return answers.size();
    }

    /** Frames the server wrote that were not well formed (see {@link ServerFrame#parse}). */
    List<String> problems() {
        return new ArrayList<>(problems);
    }

    /** Bytes the server wrote to this connection. */
    long answeredBytes() {
        return answeredBytes.get();
    }

    /** Bytes fed to the server. */
    long received() {
        return received;
    }

    boolean isOpen() {
        pump();
        return channel.isOpen();
    }

    CountingAllocator allocator() {
        return allocator;
    }

    /** Closes the connection as a peer going away would, and rethrows any exception that got past the server's handlers. */
    @Override
    public void close() {
        pump();
        try {
            channel.finish();
        } finally {
            channel.releaseInbound();
            channel.releaseOutbound();
        }
    }

    /** The head of the pipeline: takes every buffer the server writes (one or more whole frames), on whichever thread writes it. */
    private final class Head extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes;
            try {
                bytes = ByteBufUtil.getBytes(buf);
            } finally {
                buf.release();
            }
            answeredBytes.addAndGet(bytes.length);
            try {
                for (byte[] frame : ServerFrame.split(bytes)) answers.add(ServerFrame.parse(frame));
            } catch (AssertionError e) { // on whichever thread wrote it: kept for the test to see
                problems.add(e.getMessage());
            }
            promise.trySuccess();
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // written already
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            if (Thread.currentThread() == owner) ctx.close(promise);
            else deferred.add(() -> ctx.close(promise));
        }
    }
}
