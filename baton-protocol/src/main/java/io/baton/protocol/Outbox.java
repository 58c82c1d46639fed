package io.baton.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The frames a connection writes, from any thread, encoded one after another into shared batch
 * buffers and written by the connection's event loop: one buffer, one task and one flush per
 * batch rather than one of each per frame. Frames leave in the order they were written.
 *
 * <p>A small frame written with Netty on its own costs a buffer, an entry in the channel's
 * outbound list and, from outside the event loop, a task and a wake-up of that loop; a server
 * fanning out to a subscriber, or a client publishing from its own thread, paid that per message.
 * Here the first frame of a batch schedules the drain and the others only append their bytes.
 */
public final class Outbox implements Runnable {
    /** A batch buffer is sealed and a new one started past this many bytes. */
    private static final int BATCH_BYTES = 64 << 10;
    /** The smallest batch buffer: a connection that writes little allocates little. */
    private static final int MIN_BATCH_BYTES = 256;

    private final Channel channel;
    private final Runnable onDrained;
    private final ReentrantLock lock = new ReentrantLock();
    /** Sealed batches, oldest first (under lock). */
    private final ArrayDeque<ByteBuf> sealed = new ArrayDeque<>();
    /** The batch frames are appended to (under lock); null when none is open. */
    private ByteBuf open;
    /** Set once a frame was written as the last: the channel closes after it, later frames are dropped (under lock). */
    private boolean closing;
    private volatile long pendingBytes;
    /** How large the last drain's batches were: the next buffer starts at about that size, so it rarely grows (under lock). */
    private int lastBatchBytes;
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /**
     * @param onDrained run on the event loop after each drain (to wake those waiting for room), or null
     */
    public Outbox(Channel channel, Runnable onDrained) {
        this.channel = channel;
        this.onDrained = onDrained;
    }

    /**
     * Appends a frame: {@code fields} writes its fields after the verb and stream. If
     * {@code fields} throws, nothing of the frame is kept.
     *
     * @param sizeHint about how many bytes the fields take
     */
    public void write(int verb, int stream, int sizeHint, Consumer<ByteBuf> fields) {
        append(verb, stream, sizeHint, fields, false);
    }

    /** Appends a frame as the last one: once it is written, the channel closes. */
    public void writeAndClose(int verb, int stream, int sizeHint, Consumer<ByteBuf> fields) {
        append(verb, stream, sizeHint, fields, true);
    }

    /** Closes the channel once every frame written so far is. */
    public void close() {
        lock.lock();
        try {
            closing = true;
        } finally {
            lock.unlock();
        }
        schedule();
    }

    private void append(int verb, int stream, int sizeHint, Consumer<ByteBuf> fields, boolean last) {
        lock.lock();
        try {
            if (closing) return; // after the last frame: nobody reads it
            ByteBuf out = open;
            if (out == null) {
                out = channel.alloc().directBuffer(Math.max(9 + sizeHint, Math.clamp(lastBatchBytes, MIN_BATCH_BYTES, BATCH_BYTES)));
                open = out;
            }
            int mark = out.writerIndex();
            try {
                int start = FrameWriter.begin(out, verb, stream);
                fields.accept(out);
                FrameWriter.end(out, start);
            } catch (RuntimeException e) {
                out.writerIndex(mark);
                throw e;
            }
            pendingBytes += out.writerIndex() - mark;
            if (out.writerIndex() >= BATCH_BYTES) {
                sealed.add(out);
                open = null;
            }
            if (last) closing = true;
        } finally {
            lock.unlock();
        }
        schedule();
    }

    /** Bytes written here and not yet handed to the channel. */
    public long pendingBytes() {
        return pendingBytes;
    }

    /** Whether fewer than {@code limit} bytes wait here and the channel's own buffer is under its high water mark. */
    public boolean hasRoom(long limit) {
        return pendingBytes < limit && channel.isWritable();
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(this);
            } catch (RejectedExecutionException e) { // the event loop has shut down: nothing will be written
                take().batches().forEach(ByteBuf::release);
            }
        }
    }

    /** What one drain takes: every batch written so far, oldest first, and whether the channel closes after them. */
    private record Taken(ArrayDeque<ByteBuf> batches, boolean close) {}

    private Taken take() {
        lock.lock();
        try {
            ArrayDeque<ByteBuf> batches = new ArrayDeque<>(sealed);
            sealed.clear();
            if (open != null) {
                batches.add(open);
                lastBatchBytes = open.writerIndex();
            }
            open = null;
            pendingBytes = 0;
            return new Taken(batches, closing);
        } finally {
            lock.unlock();
        }
    }

    /** The drain, on the event loop. */
    @Override
    public void run() {
        scheduled.set(false); // a frame written from now on schedules the next drain
        Taken taken = take();
        if (!channel.isActive()) {
            taken.batches().forEach(ByteBuf::release); // closed: nobody will read them
        } else {
            ByteBuf last = taken.close() ? taken.batches().pollLast() : null;
            for (ByteBuf batch : taken.batches()) channel.write(batch, channel.voidPromise());
            if (!taken.close()) channel.flush();
            else if (last != null) channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
            else channel.flush().close();
        }
        if (onDrained != null) onDrained.run();
    }
}
