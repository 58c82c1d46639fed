package io.baton.internal.mem;

import io.baton.BatonClosedException;
import io.baton.InvalidNameException;
import io.baton.Overflow;
import io.baton.QueueOptions;
import io.baton.StartPosition;
import io.baton.internal.Subjects;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
import io.baton.spi.TopicChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * In-memory publish/subscribe.
 *
 * <p>Every published message gets the next sequence number and goes into a bounded history
 * (count, bytes and age), then to each matching ephemeral sink (on the publisher's thread; sinks
 * never block) and into each matching durable subscription. A durable subscription is a
 * {@link MemQueue} fed by publish: it gets acks, leases, redelivery and competing members for
 * free, and it keeps the topic's sequence numbers. Its backlog is bounded like the history, the
 * oldest dropped first (counted in its stats).
 */
final class MemTopics implements TopicChannel {
    private final HistoryLimits limits;
    private final CopyOnWriteArrayList<Ephemeral> ephemerals = new CopyOnWriteArrayList<>();
    private final Map<String, Ephemeral[]> matchCache = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong subscriptionGeneration = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, Durable> durables = new HashMap<>();
    private volatile Durable[] durableList = new Durable[0];
    private final ArrayDeque<Stored> history = new ArrayDeque<>();
    private long historyBytes;
    private long nextSeq = 1;
    private volatile boolean closed;

    MemTopics(HistoryLimits limits) {
        this.limits = limits;
    }

    /** How much history topics keep. */
    record HistoryLimits(long maxMessages, long maxBytes, Duration maxAge) {}

    private record Stored(long seq, Envelope envelope) {}

    private record Ephemeral(String pattern, EnvelopeSink sink) {}

    /** A durable subscription; {@code start} also bounds what live publishes it takes (a future sequence or time). */
    private record Durable(String name, String pattern, StartPosition start, MemQueue queue) {}

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        long seq;
        Durable[] durablesNow;
        synchronized (this) {
            ensureOpen();
            seq = nextSeq++;
            history.addLast(new Stored(seq, envelope));
            historyBytes += envelope.payload().length;
            trimHistory(envelope.timestamp());
            durablesNow = durableList;
            // Durables are fed under the lock so that each sees publishes in sequence order.
            for (Durable d : durablesNow) {
                if (Subjects.matches(d.pattern, envelope.subject()) && !startsBefore(d.start, seq, envelope)) {
                    d.queue.append(envelope, 0, seq);
                }
            }
        }
        for (Ephemeral e : matching(envelope.subject())) e.sink.accept(envelope, seq);
        return MemQueue.DONE;
    }

    private void trimHistory(long now) {
        long oldest = now - limits.maxAge().toMillis();
        while (!history.isEmpty()) {
            Stored first = history.peekFirst();
            if (history.size() <= limits.maxMessages() && historyBytes <= limits.maxBytes() && first.envelope.timestamp() >= oldest) break;
            history.pollFirst();
            historyBytes -= first.envelope.payload().length;
        }
    }

    private Ephemeral[] matching(String subject) {
        Ephemeral[] cached = matchCache.get(subject);
        if (cached != null) return cached;
        long generation = subscriptionGeneration.get();
        List<Ephemeral> found = new ArrayList<>();
        for (Ephemeral e : ephemerals) if (Subjects.matches(e.pattern, subject)) found.add(e);
        Ephemeral[] result = found.toArray(new Ephemeral[0]);
        // cache only if no (un)subscribe happened meanwhile, or a stale list could stick for good
        if (matchCache.size() < 10_000 && subscriptionGeneration.get() == generation) {
            matchCache.put(subject, result);
            if (subscriptionGeneration.get() != generation) matchCache.remove(subject, result);
        }
        return result;
    }

    private void subscriptionsChanged() {
        subscriptionGeneration.incrementAndGet();
        matchCache.clear();
    }

    @Override
    public AutoCloseable subscribe(String pattern, EnvelopeSink sink) {
        ensureOpen();
        Ephemeral e = new Ephemeral(pattern, sink);
        ephemerals.add(e);
        subscriptionsChanged();
        return () -> {
            ephemerals.remove(e);
            subscriptionsChanged();
        };
    }

    @Override
    public synchronized DeliverySource durable(String name, String pattern, StartPosition start) {
        ensureOpen();
        Durable existing = durables.get(name);
        if (existing != null) {
            if (!existing.pattern.equals(pattern)) {
                throw new InvalidNameException("durable subscription '" + name + "' exists on '" + existing.pattern
                        + "'; it cannot be opened on '" + pattern + "'");
            }
            return existing.queue;
        }
        // no dedupe window: distinct publishes may share an id, and each is owed to the subscription
        MemQueue queue = new MemQueue(name, QueueOptions.builder().maxLength(limits.maxMessages()).maxBytes(limits.maxBytes())
                .overflow(Overflow.DROP_OLDEST).dedupeWindow(Duration.ZERO).build());
        for (Stored s : history) {
            if (startsBefore(start, s.seq, s.envelope) || !Subjects.matches(pattern, s.envelope.subject())) continue;
            queue.append(s.envelope, 0, s.seq);
        }
        // NEW means from now on: later publishes only
        StartPosition live = start.kind() == StartPosition.Kind.NEW ? StartPosition.EARLIEST : start;
        Durable d = new Durable(name, pattern, live, queue);
        durables.put(name, d);
        durableList = durables.values().toArray(new Durable[0]);
        return queue;
    }

    private static boolean startsBefore(StartPosition start, long seq, Envelope envelope) {
        return switch (start.kind()) {
            case NEW -> true;
            case EARLIEST -> false;
            case SEQUENCE -> seq < start.sequence();
            case TIME -> envelope.timestamp() < start.time().toEpochMilli();
        };
    }

    private void ensureOpen() {
        if (closed) throw new BatonClosedException("topics are closed: their backend was closed");
    }

    synchronized void close() {
        closed = true;
        for (Durable d : durables.values()) d.queue.close();
        ephemerals.clear();
        matchCache.clear();
    }
}
