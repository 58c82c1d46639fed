package io.baton.store;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The log positions a queue, a durable subscription or the topic history still needs, by message
 * sequence; cleanup deletes no segment at or after {@link #oldest()}.
 *
 * <p>A record being appended has no position yet, but cleanup must not delete the segment it is
 * landing in: {@link #appending} notes the log's end position before the append (a lower bound of
 * where it will land) until {@link #appended} replaces it with the real one. Cleanup reads the log's
 * end first, then {@link #oldest()}, which reads the appends in flight before the positions they
 * become, so a record is always covered by one of the three.
 */
final class NeededPositions {
    private final ConcurrentSkipListMap<Long, Long> appending = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<Long, Long> held = new ConcurrentSkipListMap<>();

    /** Message {@code seq} is being appended; the log's end is {@code lowerBound} now. */
    void appending(long seq, long lowerBound) {
        appending.put(seq, lowerBound);
    }

    /** The append of {@code seq} landed at {@code position} (or failed, with {@code position} < 0). */
    void appended(long seq, long position) {
        if (position >= 0) held.put(seq, position);
        appending.remove(seq);
    }

    /** Message {@code seq}, held by the record at {@code position}, is needed. */
    void hold(long seq, long position) {
        held.put(seq, position);
    }

    void release(long seq) {
        held.remove(seq);
    }

    /** Releases every message below {@code seq}. */
    void releaseBelow(long seq) {
        held.headMap(seq).clear();
    }

    Long positionOf(long seq) {
        return held.get(seq);
    }

    /** The oldest position needed, or {@code Long.MAX_VALUE}. */
    long oldest() {
        long oldest = Long.MAX_VALUE;
        for (Long bound : appending.values()) oldest = Math.min(oldest, bound); // before held: see the class comment
        Map.Entry<Long, Long> first = held.firstEntry();
        if (first != null) oldest = Math.min(oldest, first.getValue());
        return oldest;
    }
}
