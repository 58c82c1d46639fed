package io.baton.store;

import static io.baton.store.LogRecordFormat.RECORD_HEADER_BYTES;
import static io.baton.store.LogRecordFormat.SEGMENT_HEADER_BYTES;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log's one writer thread. Appenders put their record on a lock-free queue and wake the thread
 * if it sleeps; the thread takes everything queued (a batch), encodes it into one direct buffer,
 * writes it with as few positional writes as the buffer allows, then, under
 * {@link Durability.Fsync}, issues one {@code force} for the whole batch before completing the
 * batch's futures: group commit. Appends that arrive while a force runs form the next batch, so
 * the batch size follows the load and the disk's fsync latency.
 *
 * <p>Rolling: before a record that would take the active segment past {@code segmentBytes}, the
 * segment is written out, fsynced and its records completed (in every durability mode), then the
 * next segment is created (header fsynced, directory fsynced). So only the last segment can ever
 * hold unsynced bytes, and recovery may treat damage anywhere else as corruption.
 *
 * <p>Failure: an I/O error fails every record of the batch not yet completed (with
 * {@link StoreFullException} for a full disk) and cuts the file back to the end of the last
 * completed record, so a half-written batch never sits between good records. If even the cut
 * fails, no more writes are tried until it succeeds.
 */
final class GroupCommitter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SegmentedLog.class);
    private static final int BUFFER_BYTES = 1 << 20;
    /** A batch stops growing here so its futures complete promptly under a flood. */
    private static final long MAX_BATCH_BYTES = 8L << 20;

    /** One append on its way through the writer. */
    static final class PendingAppend {
        final int type;
        final byte[] payload;
        final CompletableFuture<Long> future;
        long position;
        long timestamp;

        PendingAppend(int type, byte[] payload, CompletableFuture<Long> future) {
            this.type = type;
            this.payload = payload;
            this.future = future;
        }
    }

    private final SegmentedLog owner;
    private final Durability durability;
    private final long intervalNanos;
    private final long segmentBytes;
    private final ConcurrentLinkedQueue<PendingAppend> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean closing;
    private volatile boolean done;
    private volatile boolean closedByFailure;

    // Writer thread only, from here on.
    private Segment active;
    private FileChannel channel;
    private long written;    // bytes of the active file written, header included
    private long committed;  // bytes holding completed records
    private long durable;    // bytes covered by the last force
    private long truncateTo = -1;
    private long lastTimestamp;
    private long lastForceNanos = System.nanoTime();
    private boolean failing;
    private final ByteBuffer buffer;
    private long bufferAt;   // file offset of buffer[0]
    private final ArrayList<PendingAppend> batch = new ArrayList<>();
    private int completedUpTo;
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[RECORD_HEADER_BYTES];

    // Written by the writer thread only (so ++ is safe), read by anyone.
    private volatile long appends;
    private volatile long batches;
    private volatile long fsyncs;

    GroupCommitter(SegmentedLog owner, Segment active, FileChannel channel, long lastTimestamp) {
        this.owner = owner;
        this.durability = owner.options().durability();
        this.intervalNanos = durability instanceof Durability.FsyncEveryInterval every ? every.interval().toNanos() : Long.MAX_VALUE;
        this.segmentBytes = owner.options().segmentBytes();
        this.buffer = ByteBuffer.allocateDirect((int) Math.min(BUFFER_BYTES, Math.max(8192, segmentBytes)));
        this.active = active;
        this.channel = channel;
        this.written = this.committed = this.durable = active.size();
        this.lastTimestamp = lastTimestamp;
        this.thread = Thread.ofPlatform().daemon(true).name("baton-log-writer " + owner.directory()).unstarted(this);
    }

    void start() {
        thread.start();
    }

    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    LogStats stats() {
        return new LogStats(appends, batches, fsyncs);
    }

    /** Queues an append; the caller has checked its arguments. Thread-safe, never blocks. */
    void submit(PendingAppend append) {
        if (closing) {
            append.future.completeExceptionally(closedException());
            return;
        }
        queue.offer(append);
        if (done) {
            if (queue.remove(append)) append.future.completeExceptionally(closedException());
        } else if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Finishes every queued append, fsyncs, closes the file; waits for that unless called on the writer thread. */
    void close() {
        closing = true;
        LockSupport.unpark(thread);
        if (isWriterThread()) return;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private LogClosedException closedException() {
        return new LogClosedException("log " + owner.directory() + " is closed" + (closedByFailure ? " (its writer stopped after an unexpected error)" : ""));
    }

    @Override
    public void run() {
        try {
            while (true) {
                Thread.interrupted();  // an interrupt would close the channel under us: ignore it
                drain();
                if (batch.isEmpty()) {
                    if (closing) break;
                    forceIfDue();
                    park();
                    continue;
                }
                writeBatch();
                batch.clear();  // let go of the payloads
                forceIfDue();
            }
            if (durable < written) {
                try {
                    channel.force(false);
                    fsyncs++;
                    durable = written;
                } catch (IOException e) {
                    log.error("{}: the fsync at close failed; records appended since the last fsync may be lost on power loss: {}",
                        owner.directory(), e.toString());
                }
            }
        } catch (Throwable t) {
            log.error("{}: the log writer stopped: {}", owner.directory(), t.toString(), t);
            closedByFailure = true;
            failRest(new StoreException("log writer of " + owner.directory() + " stopped: " + t, t));
        } finally {
            closing = true;
            done = true;
            PendingAppend leftover;
            LogClosedException closed = closedException();
            while ((leftover = queue.poll()) != null) leftover.future.completeExceptionally(closed);
            SegmentFiles.closeQuietly(channel);
        }
    }

    private void drain() {
        batch.clear();
        completedUpTo = 0;
        long bytes = 0;
        PendingAppend append;
        while (bytes < MAX_BATCH_BYTES && (append = queue.poll()) != null) {
            batch.add(append);
            bytes += RECORD_HEADER_BYTES + append.payload.length;
        }
    }

    private void park() {
        parked = true;
        if (queue.isEmpty() && !closing) {
            if (durable < committed && intervalNanos != Long.MAX_VALUE) {
                LockSupport.parkNanos(this, Math.max(1, lastForceNanos + intervalNanos - System.nanoTime()));
            } else {
                LockSupport.park(this);
            }
        }
        parked = false;
    }

    private void writeBatch() {
        try {
            if (truncateTo >= 0) {
                if (!channel.isOpen()) channel = owner.options().channels().open(active.path, SegmentFiles.READ_WRITE);
                channel.truncate(truncateTo);
                written = truncateTo;
                truncateTo = -1;
            }
            long timestamp = Math.max(System.currentTimeMillis(), lastTimestamp);
            buffer.clear();
            bufferAt = written;
            for (int k = 0; k < batch.size(); k++) {
                PendingAppend append = batch.get(k);
                long end = bufferAt + buffer.position();
                if (end > SEGMENT_HEADER_BYTES && end + RECORD_HEADER_BYTES + append.payload.length > segmentBytes) {
                    flushBuffer();
                    commit(k, true);
                    roll(timestamp);
                }
                append.position = active.position(bufferAt + buffer.position());
                append.timestamp = timestamp;
                encode(append);
            }
            flushBuffer();
            commit(batch.size(), durability instanceof Durability.Fsync);
            lastTimestamp = timestamp;
            batches++;
            if (failing) {
                failing = false;
                log.info("{}: appends succeed again", owner.directory());
            }
        } catch (IOException | RuntimeException e) {
            failBatch(e);
        }
    }

    private void encode(PendingAppend append) throws IOException {
        byte[] payload = append.payload;
        crc.reset();
        crc.update(payload, 0, payload.length);
        LogRecordFormat.encodeRecordHeader(header, append.type, payload.length, append.timestamp, (int) crc.getValue(), crc);
        if (buffer.remaining() < RECORD_HEADER_BYTES) flushBuffer();
        buffer.put(header);
        int at = 0;
        while (at < payload.length) {
            if (!buffer.hasRemaining()) flushBuffer();
            int n = Math.min(buffer.remaining(), payload.length - at);
            buffer.put(payload, at, n);
            at += n;
        }
    }

    private void flushBuffer() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) channel.write(buffer, bufferAt + buffer.position());
        bufferAt += buffer.limit();
        written = bufferAt;
        buffer.clear();
    }

    /** Makes batch[completedUpTo, upTo) durable if asked, visible to readers, then completes their futures. */
    private void commit(int upTo, boolean force) throws IOException {
        if (force && durable < written) {
            channel.force(false);
            fsyncs++;
            durable = written;
            lastForceNanos = System.nanoTime();
        }
        if (upTo == completedUpTo) return;
        for (int k = completedUpTo; k < upTo; k++) {
            PendingAppend append = batch.get(k);
            active.noteRecord(active.offset(append.position), append.timestamp);
        }
        active.committed(written, batch.get(upTo - 1).timestamp);
        committed = written;
        appends += upTo - completedUpTo;
        for (int k = completedUpTo; k < upTo; k++) {
            PendingAppend append = batch.get(k);
            completedUpTo = k + 1;
            append.future.complete(append.position);
        }
        Thread.interrupted();  // a callback that interrupted this thread would get the channel closed under us
    }

    private void roll(long timestamp) throws IOException {
        long base = active.endPosition();
        FileChannel next = SegmentFiles.create(owner.options().channels(), owner.directory(), base, timestamp);
        Segment segment = new Segment(owner.directory().resolve(Segment.fileName(base)), base, timestamp, SEGMENT_HEADER_BYTES, java.util.List.of());
        owner.publish(segment);
        SegmentFiles.closeQuietly(channel);
        active = segment;
        channel = next;
        written = committed = durable = SEGMENT_HEADER_BYTES;
        bufferAt = written;
    }

    private void forceIfDue() {
        if (durable >= committed || intervalNanos == Long.MAX_VALUE) return;
        long now = System.nanoTime();
        if (now - lastForceNanos < intervalNanos) return;
        lastForceNanos = now;
        try {
            channel.force(false);
            fsyncs++;
            durable = committed;
        } catch (IOException e) {
            log.error("{}: interval fsync failed, will retry; records appended since the last one may be lost on power loss: {}",
                owner.directory(), e.toString());
        }
    }

    private void failBatch(Exception cause) {
        StoreException error = storeException(cause);
        if (!failing) {
            failing = true;
            log.error("{}: appends fail: {}", owner.directory(), cause.toString());
        }
        // Cut the file back to the last completed record so no half-written batch stays behind.
        try {
            if (!channel.isOpen()) {  // closed under us (an interrupt): open the file again
                channel = owner.options().channels().open(active.path, SegmentFiles.READ_WRITE);
            }
            channel.truncate(committed);
            written = committed;
            durable = Math.min(durable, committed);
        } catch (IOException e) {
            truncateTo = committed;
            written = committed;
            durable = Math.min(durable, committed);
            error.addSuppressed(e);
        }
        if (truncateTo < 0) {
            try {
                channel.force(false);  // best effort: a failed force may have stored part of the batch; store the cut too
            } catch (IOException ignored) {
                // the cut stays in the page cache; the next successful fsync stores it
            }
        }
        buffer.clear();
        for (int k = completedUpTo; k < batch.size(); k++) batch.get(k).future.completeExceptionally(error);
        completedUpTo = batch.size();
    }

    private void failRest(StoreException error) {
        for (int k = completedUpTo; k < batch.size(); k++) batch.get(k).future.completeExceptionally(error);
        completedUpTo = batch.size();
    }

    private StoreException storeException(Exception cause) {
        if (cause instanceof StoreException store) return store;
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("no space left") || message.contains("not enough space") || message.contains("disk full")
            || message.contains("quota exceeded")) {
            return new StoreFullException("disk full: could not append to " + active.path + " (" + cause.getMessage() + ")", cause);
        }
        return new StoreException("could not append to " + active.path + ": " + cause, cause);
    }
}
