package io.baton.store;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the log says about one queue: its pending messages, in log order, and its acked ids. */
final class QueueReplay {

    static final class Pending {
        final QueueRecords.Send send;
        final long position;
        int attempts;
        long dueAt;

        Pending(QueueRecords.Send send, long position) {
            this.send = send;
            this.position = position;
        }
    }

    final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
    /** Ids of acked messages with their send time: the dedupe window must outlive a restart. */
    final Map<String, Long> ackedIds = new HashMap<>();
    long maxSeq;

    void send(QueueRecords.Send send, long position) {
        pending.put(send.seq(), new Pending(send, position));
        maxSeq = Math.max(maxSeq, send.seq());
    }

    void change(int type, QueueRecords.Change change) {
        switch (type) {
            case QueueRecords.ACK -> {
                Pending p = pending.remove(change.seq());
                if (p != null && p.send.envelope().id() != null) ackedIds.put(p.send.envelope().id(), p.send.envelope().timestamp());
            }
            case QueueRecords.DISCARD -> pending.remove(change.seq());
            case QueueRecords.RETURN -> {
                Pending p = pending.get(change.seq());
                if (p != null) {
                    p.attempts = change.attempts();
                    p.dueAt = change.dueAt();
                }
            }
            case QueueRecords.DELIVER -> {
                Pending p = pending.get(change.seq());
                if (p != null) p.attempts = Math.max(p.attempts, change.attempts()); // a crash does not reset attempts
            }
            default -> throw new IllegalArgumentException("not a queue change: " + type);
        }
    }

    long oldestNeededPosition() {
        return pending.isEmpty() ? Long.MAX_VALUE : pending.values().iterator().next().position;
    }
}
