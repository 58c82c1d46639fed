package io.baton.internal.mem;

import io.baton.BatonClosedException;
import io.baton.InvalidNameException;
import io.baton.Overflow;
import io.baton.QueueOptions;
import io.baton.StartPosition;
import io.baton.internal.Subjects;
import io.baton.spi.BackendUrl;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publish/subscribe in memory, optionally recorded by a durable backend's {@link Journal}.
 *
 * <p>Every published message gets the next sequence number and goes into a bounded history
 * (count, bytes and age), then to each matching ephemeral sink (sinks never block) and into each
 * matching durable subscription. A durable subscription is a {@link MemQueue} fed by publish: it
 * gets acks, leases, redelivery and competing members for free, and it keeps the topic's sequence
 * numbers. Its backlog is bounded like the history, the oldest dropped first (counted in its
 * stats).
 *
 * <p>With a journal, a publish is recorded first and reaches history and subscribers only once the
 * journal says it is durable; the journal completes publishes in sequence order and one thread
 * stores them in that order, so every subscriber still sees sequence order.
 */
public final class MemTopics implements TopicChannel {
    private final HistoryLimits limits;
    private final Journal journal;
    /** With a journal: the one thread that stores durable publishes and hands them to subscribers. */
    private final ExecutorService fanOut;
    private final CopyOnWriteArrayList<Ephemeral> ephemerals = new CopyOnWriteArrayList<>();
    private final Map<String, Ephemeral[]> matchCache = new ConcurrentHashMap<>();
    private final AtomicLong subscriptionGeneration = new AtomicLong();
    private final Map<String, Durable> durables = new HashMap<>();
    private volatile Durable[] durableList = new Durable[0];
    private final ArrayDeque<Published> history = new ArrayDeque<>();
    private long historyBytes;
    private long nextSeq = 1;
    /** The last sequence that reached history (publishes after it are still being recorded). */
    private long historyEnd;
    private volatile boolean closed;

    /** Topics that live and die with this JVM. */
    MemTopics(HistoryLimits limits) {
        this(limits, null);
    }

    /** Topics whose publishes and durable subscriptions a durable backend records through {@code journal}. */
    public MemTopics(HistoryLimits limits, Journal journal) {
        this.limits = limits;
        this.journal = journal;
        this.fanOut = journal == null ? null
                : Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon(true).name("baton-topic-fanout").unstarted(r));
    }

    /**
     * What a durable backend records about topics. Called under the topics' lock: implementations
     * must not block, except {@link #subscribed}, which is rare.
     */
    public interface Journal {
        /**
         * Records a publish. The future completes once it is durable, and futures complete in
         * sequence order; a failed one fails the publish.
         */
        CompletableFuture<?> published(long seq, Envelope envelope);

        /** Records a new durable subscription, before it takes any message. */
        void subscribed(DurableSpec spec);

        /** The journal of a durable subscription's queue. */
        MemQueue.Journal subscription(String name);

        /** Durable subscription {@code name} took message {@code seq} (live, or from history when created). */
        void took(String name, long seq);
    }

    /** How much history topics keep. */
    public record HistoryLimits(long maxMessages, long maxBytes, Duration maxAge) {

        /** Reads {@code historyMessages}, {@code historyBytes} and {@code historyAgeSeconds} (defaults 100,000, 64 MiB, 1 hour). */
        public static HistoryLimits from(BackendUrl url) {
            return new HistoryLimits(
                    url.takePositive("historyMessages", 100_000),
                    url.takePositive("historyBytes", 64L << 20),
                    Duration.ofSeconds(url.takePositive("historyAgeSeconds", 3600)));
        }
    }

    /**
     * A message in the history, with what trimming reads copied beside it: the oldest entries are
     * long out of the cache, and trimming then touches one object rather than three.
     */
    public record Published(long seq, Envelope envelope, long timestamp, int bytes) {
        Published(long seq, Envelope envelope) {
            this(seq, envelope, envelope.timestamp(), envelope.payload().length);
        }
    }

    /**
     * What defines a durable subscription: it takes the messages from sequence {@code firstSeq} on
     * that match {@code pattern} and are not before {@code start}.
     */
    public record DurableSpec(String name, String pattern, StartPosition start, long firstSeq) {

        public boolean takes(long seq, Envelope envelope) {
            if (seq < firstSeq || !Subjects.matches(pattern, envelope.subject())) return false;
            return switch (start.kind()) {
                case NEW, EARLIEST -> true;
                case SEQUENCE -> seq >= start.sequence();
                case TIME -> envelope.timestamp() >= start.time().toEpochMilli();
            };
        }
    }

    /** An ephemeral subscription: it gets the publishes numbered {@code fromSeq} and later. */
    private record Ephemeral(String pattern, EnvelopeSink sink, long fromSeq) {}

    private record Durable(DurableSpec spec, MemQueue queue) {}

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        if (journal == null) {
            long seq;
            synchronized (this) {
                ensureOpen();
                seq = nextSeq++;
                // Durables are fed under the lock so that each sees publishes in sequence order.
                store(seq, envelope);
            }
            deliverToEphemerals(seq, envelope);
            return MemQueue.DONE;
        }
        synchronized (this) {
            ensureOpen();
            long seq = nextSeq++;
            // Attached under the lock, and run by one thread in the order the journal completes
            // them: subscribers see sequence order, and the journal's thread never waits for this lock.
            return journal.published(seq, envelope).thenRunAsync(() -> {
                synchronized (this) {
                    if (closed) return;
                    store(seq, envelope);
                }
                deliverToEphemerals(seq, envelope);
            }, fanOut);
        }
    }

    /** Adds a publish to history and to every durable subscription that takes it; under the lock. */
    private void store(long seq, Envelope envelope) {
        addToHistory(seq, envelope);
        trimHistory(envelope.timestamp());
        for (Durable d : durableList) {
            if (d.spec.takes(seq, envelope)) feed(d, seq, envelope);
        }
    }

    private void feed(Durable d, long seq, Envelope envelope) {
        if (journal != null) journal.took(d.spec.name(), seq);
        d.queue.append(envelope, 0, seq);
    }

    private void addToHistory(long seq, Envelope envelope) {
        history.addLast(new Published(seq, envelope));
        historyBytes += envelope.payload().length;
        historyEnd = seq;
    }

    private void deliverToEphemerals(long seq, Envelope envelope) {
        for (Ephemeral e : matching(envelope.subject())) {
            // a publish numbered before the subscription came is not its, however late it is delivered
            if (seq >= e.fromSeq) e.sink.accept(envelope, seq);
        }
    }

    private void trimHistory(long now) {
        long oldest = now - limits.maxAge().toMillis();
        while (!history.isEmpty()) {
            Published first = history.peekFirst();
            if (history.size() <= limits.maxMessages() && historyBytes <= limits.maxBytes() && first.timestamp() >= oldest) break;
            history.pollFirst();
            historyBytes -= first.bytes();
        }
    }

    /** Drops history older than the age limit even when nothing is published. */
    public synchronized void expireHistory(long nowMillis) {
        trimHistory(nowMillis);
    }

    /** The sequence of the oldest message the history keeps, or of the next one if it keeps none. */
    public synchronized long oldestKeptSequence() {
        return history.isEmpty() ? historyEnd + 1 : history.peekFirst().seq;
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
        Ephemeral e = new Ephemeral(pattern, sink, nextSequence());
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
            if (!existing.spec.pattern().equals(pattern)) {
                throw new InvalidNameException("durable subscription '" + name + "' exists on '" + existing.spec.pattern()
                        + "'; it cannot be opened on '" + pattern + "'");
            }
            return existing.queue;
        }
        // NEW: the publishes numbered from now on; otherwise everything history keeps (and what is
        // still being recorded). After a restart the numbering resumes past every firstSeq.
        long firstSeq = start.kind() == StartPosition.Kind.NEW ? nextSeq : oldestKeptSequence();
        DurableSpec spec = new DurableSpec(name, pattern, start, firstSeq);
        if (journal != null) journal.subscribed(spec);
        Durable d = register(spec);
        for (Published p : history) {
            if (spec.takes(p.seq, p.envelope)) feed(d, p.seq, p.envelope);
        }
        return d.queue;
    }

    private Durable register(DurableSpec spec) {
        // no dedupe window: distinct publishes may share an id, and each is owed to the subscription
        QueueOptions options = QueueOptions.builder().maxLength(limits.maxMessages()).maxBytes(limits.maxBytes())
                .overflow(Overflow.DROP_OLDEST).dedupeWindow(Duration.ZERO).build();
        MemQueue queue = journal == null ? new MemQueue(spec.name(), options) : new MemQueue(spec.name(), options, journal.subscription(spec.name()));
        Durable d = new Durable(spec, queue);
        durables.put(spec.name(), d);
        durableList = durables.values().toArray(new Durable[0]);
        return d;
    }

    /** Puts a recorded publish back into history when a durable backend reopens; in sequence order. */
    public synchronized void restorePublished(long seq, Envelope envelope) {
        addToHistory(seq, envelope);
        trimHistory(envelope.timestamp());
        restoreSequence(seq + 1);
    }

    /** Makes the next publish get at least {@code next}: sequence numbers never go back across restarts. */
    public synchronized void restoreSequence(long next) {
        if (next > nextSeq) {
            nextSeq = next;
            historyEnd = Math.max(historyEnd, next - 1);
        }
    }

    /** Re-creates a recorded durable subscription, empty: the backend refills it with what it had pending. */
    public synchronized MemQueue restoreDurable(DurableSpec spec) {
        return register(spec).queue;
    }

    /** The next publish's sequence number. */
    public synchronized long nextSequence() {
        return nextSeq;
    }

    private void ensureOpen() {
        if (closed) throw new BatonClosedException("topics are closed: their backend was closed");
    }

    /** Closes every durable subscription and drops the ephemeral ones. */
    public void close() {
        synchronized (this) {
            closed = true;
            for (Durable d : durables.values()) d.queue.close();
            ephemerals.clear();
            matchCache.clear();
        }
        if (fanOut != null) fanOut.shutdown(); // what it still holds is in the journal, for the next open
    }
}
