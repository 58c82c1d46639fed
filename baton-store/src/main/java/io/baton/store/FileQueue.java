package io.baton.store;

import io.baton.QueueStats;
import io.baton.internal.mem.MemQueue;
import io.baton.spi.Delivery;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A durable queue: the {@code mem:} queue's state machine, with every change recorded in the
 * log. A send is appended (SEND) and completes once the log made it durable; only then does the
 * message enter the in-memory queue, so nothing is delivered that a crash could take back.
 * Deliveries, acks, nacks, expired leases and discards are recorded as they happen (DELIVER, ACK,
 * RETURN, DISCARD), so attempts survive a crash too; they are batched
 * into the log's next group commit; the send's future is what waits for the disk.
 *
 * <p>Sequence numbers are assigned under {@code sendLock} together with the append, so a queue's
 * SEND records are in sequence order in the log, and the oldest pending sequence names the oldest
 * log position the queue still needs.
 */
final class FileQueue implements QueueChannel {
    private final String name;
    private final SegmentedLog segmentedLog;
    private final MemQueue memory;
    private final Object sendLock = new Object();
    private long nextSeq;
    private final Changes changes;

    FileQueue(String name, io.baton.QueueOptions options, SegmentedLog segmentedLog, QueueReplay replay) {
        this.name = name;
        this.segmentedLog = segmentedLog;
        this.changes = new Changes(name, segmentedLog, QueueRecords.ChangeTypes.QUEUE);
        this.memory = new MemQueue(name, options, changes);
        this.nextSeq = replay == null ? 1 : replay.maxSeq + 1;
        if (replay != null) restore(replay);
    }

    private void restore(QueueReplay replay) {
        replay.ackedIds.forEach(memory::rememberId);
        changes.restore(replay, memory);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<Void> send(Envelope envelope, long deliverAtMillis) {
        memory.awaitRoom(envelope.payload().length); // the overflow policy runs before anything is written
        long seq;
        CompletableFuture<Long> written;
        byte[] record = QueueRecords.send(name, 0, deliverAtMillis, envelope); // checks the sizes before a sequence is taken
        NeededPositions needed = changes.needed();
        synchronized (sendLock) {
            seq = nextSeq++;
            QueueRecords.setSendSeq(record, name, seq);
            needed.appending(seq, segmentedLog.endPosition());
            written = segmentedLog.append(QueueRecords.SEND, record);
        }
        return written.whenComplete((position, error) -> needed.appended(seq, error == null ? position : -1))
                .thenAccept(position -> memory.appendRecorded(envelope, deliverAtMillis, seq, 0));
    }

    /** The oldest log position this queue still needs, or {@code Long.MAX_VALUE}. */
    long oldestNeededPosition() {
        return changes.oldestNeededPosition();
    }

    @Override
    public List<Delivery> receive(int max, Duration wait, Duration lease) throws InterruptedException {
        return memory.receive(max, wait, lease);
    }

    @Override
    public List<Delivery> ackAndReceive(long[] tokens, int count, int max, Duration wait, Duration lease) throws InterruptedException {
        return memory.ackAndReceive(tokens, count, max, wait, lease);
    }

    @Override
    public void ack(long token) {
        memory.ack(token);
    }

    @Override
    public void ack(long[] tokens, int count) {
        memory.ack(tokens, count);
    }

    @Override
    public void nack(long token, Duration delay) {
        memory.nack(token, delay);
    }

    @Override
    public void release(long token) {
        memory.release(token);
    }

    @Override
    public boolean extend(long token, Duration lease) {
        return memory.extend(token, lease);
    }

    @Override
    public QueueStats stats() {
        return memory.stats();
    }

    void close() {
        memory.close();
    }
}
