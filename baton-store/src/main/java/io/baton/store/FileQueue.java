package io.baton.store;

import io.baton.QueueStats;
import io.baton.internal.mem.MemQueue;
import io.baton.spi.Delivery;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
final class FileQueue implements QueueChannel, MemQueue.Journal {
    private static final Logger log = LoggerFactory.getLogger(FileQueue.class);

    private final String name;
    private final SegmentedLog segmentedLog;
    private final MemQueue memory;
    private final Object sendLock = new Object();
    private long nextSeq;
    /** Pending (not acked, not discarded) messages: sequence to the position of their SEND record. */
    private final ConcurrentSkipListMap<Long, Long> pending = new ConcurrentSkipListMap<>();

    FileQueue(String name, io.baton.QueueOptions options, SegmentedLog segmentedLog, QueueReplay replay) {
        this.name = name;
        this.segmentedLog = segmentedLog;
        this.memory = new MemQueue(name, options, this);
        this.nextSeq = replay == null ? 1 : replay.maxSeq + 1;
        if (replay != null) restore(replay);
    }

    private void restore(QueueReplay replay) {
        replay.ackedIds.forEach(memory::rememberId);
        for (QueueReplay.Pending p : replay.pending.values()) {
            pending.put(p.send.seq(), p.position);
            long deliverAt = Math.max(p.send.deliverAt(), p.dueAt);
            memory.appendRecorded(p.send.envelope(), deliverAt, p.send.seq(), p.attempts);
        }
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
        synchronized (sendLock) {
            seq = nextSeq++;
            written = segmentedLog.append(QueueRecords.SEND, QueueRecords.send(name, seq, deliverAtMillis, envelope));
        }
        return written.thenAccept(position -> {
            pending.put(seq, position);
            memory.appendRecorded(envelope, deliverAtMillis, seq, 0);
        });
    }

    /** The oldest log position this queue still needs, or {@code Long.MAX_VALUE}. */
    long oldestNeededPosition() {
        Map.Entry<Long, Long> first = pending.firstEntry();
        return first == null ? Long.MAX_VALUE : first.getValue();
    }

    @Override
    public void delivered(long seq, int attempts) {
        record(QueueRecords.DELIVER, QueueRecords.returned(name, seq, attempts, 0));
    }

    @Override
    public void acked(long seq) {
        pending.remove(seq);
        record(QueueRecords.ACK, QueueRecords.ack(name, seq));
    }

    @Override
    public void returned(long seq, int attempts, long dueAt) {
        record(QueueRecords.RETURN, QueueRecords.returned(name, seq, attempts, dueAt));
    }

    @Override
    public void discarded(long seq) {
        pending.remove(seq);
        record(QueueRecords.DISCARD, QueueRecords.discard(name, seq));
    }

    private void record(int type, byte[] payload) {
        segmentedLog.append(type, payload).whenComplete((position, error) -> {
            // Not fatal: a lost ACK or RETURN means a redelivery after a restart, never a lost message.
            if (error != null) log.error("could not record a change of queue '{}': {}", name, error.toString());
        });
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
