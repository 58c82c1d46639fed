package io.baton.store;

import io.baton.internal.mem.MemQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what happens to the messages of one queue or durable subscription (deliveries, acks,
 * nacks, expired leases, discards) in the log, and keeps track of which of them are pending so
 * the log knows what it must keep. The records are batched into the log's next group commit; none
 * of them is waited for: a lost ACK or RETURN means a redelivery after a crash, never a lost
 * message.
 */
final class Changes implements MemQueue.Journal {
    private static final Logger log = LoggerFactory.getLogger(Changes.class);

    private final String name;
    private final SegmentedLog segmentedLog;
    private final QueueRecords.ChangeTypes types;
    /** Pending (not acked, not discarded) messages, and sends still being appended. */
    private final NeededPositions pending = new NeededPositions();

    Changes(String name, SegmentedLog segmentedLog, QueueRecords.ChangeTypes types) {
        this.name = name;
        this.segmentedLog = segmentedLog;
        this.types = types;
    }

    /** Message {@code seq}, held by the record at {@code position}, is pending. */
    void pending(long seq, long position) {
        pending.hold(seq, position);
    }

    /** The positions this queue needs, for a send to track its append in. */
    NeededPositions needed() {
        return pending;
    }

    /** Puts the messages the log says were pending back into {@code memory}, with their attempts and due times. */
    void restore(QueueReplay replay, MemQueue memory) {
        for (QueueReplay.Pending p : replay.pending.values()) {
            pending(p.send.seq(), p.position);
            long deliverAt = Math.max(p.send.deliverAt(), p.dueAt);
            memory.appendRecorded(p.send.envelope(), deliverAt, p.send.seq(), p.attempts);
        }
    }

    /** The oldest log position this queue still needs, or {@code Long.MAX_VALUE}. */
    long oldestNeededPosition() {
        return pending.oldest();
    }

    @Override
    public void delivered(long seq, int attempts) {
        record(types.deliver(), QueueRecords.returned(name, seq, attempts, 0));
    }

    @Override
    public void acked(long seq) {
        pending.release(seq);
        record(types.ack(), QueueRecords.ack(name, seq));
    }

    @Override
    public void returned(long seq, int attempts, long dueAt) {
        record(types.returned(), QueueRecords.returned(name, seq, attempts, dueAt));
    }

    @Override
    public void discarded(long seq) {
        pending.release(seq);
        record(types.discard(), QueueRecords.discard(name, seq));
    }

    private void record(int type, byte[] payload) {
        segmentedLog.append(type, payload).whenComplete((position, error) -> {
            if (error != null) log.error("could not record a change of '{}': {}", name, error.toString());
        });
    }
}
