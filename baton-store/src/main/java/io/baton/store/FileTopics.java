package io.baton.store;

import io.baton.StartPosition;
import io.baton.internal.mem.MemQueue;
import io.baton.internal.mem.MemTopics;
import io.baton.spi.Envelope;
import io.baton.spi.TopicChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Durable topics: the {@code mem:} topics' logic, with every publish recorded in the log (PUBLISH)
 * before anyone sees it, and each durable subscription a queue of the topic's messages whose
 * deliveries, acks and returns are recorded (SUB_*), like a queue's.
 *
 * <p>A durable subscription's definition (pattern, start, first sequence) is kept in
 * {@code subscriptions.json}, so it outlives the segments. The history is rebuilt from the PUBLISH
 * records still in the log, within its limits; each subscription gets back the messages it had
 * taken and not acked, with their attempts. Before segments are deleted a CHECKPOINT records the
 * next sequence, so sequence numbers never go back across restarts.
 *
 * <p>The log keeps a PUBLISH while the history keeps it or a durable subscription has not acked it.
 */
final class FileTopics implements MemTopics.Journal {

    /** The stored form of a {@link MemTopics.DurableSpec}. */
    record SpecEntry(String pattern, StartPosition.Kind startKind, long startSequence, Long startTimeMillis, long firstSeq) {
        static SpecEntry of(MemTopics.DurableSpec spec) {
            StartPosition s = spec.start();
            return new SpecEntry(spec.pattern(), s.kind(), s.sequence(), s.time() == null ? null : s.time().toEpochMilli(), spec.firstSeq());
        }

        MemTopics.DurableSpec spec(String name) {
            StartPosition start = switch (startKind) {
                case NEW -> StartPosition.NEW;
                case EARLIEST -> StartPosition.EARLIEST;
                case SEQUENCE -> StartPosition.sequence(startSequence);
                case TIME -> StartPosition.time(Instant.ofEpochMilli(startTimeMillis));
            };
            return new MemTopics.DurableSpec(name, pattern, start, firstSeq);
        }
    }

    private final SegmentedLog segmentedLog;
    private final JsonCatalog<SpecEntry> catalog;
    private final MemTopics topics;
    /** Where each publish the history may still hold was recorded (or is being appended). */
    private final NeededPositions positions = new NeededPositions();
    private final Map<String, Changes> subscriptions = new ConcurrentHashMap<>();
    /** While the log is replayed: each recorded subscription's pending messages; null after {@link #restore}. */
    private Map<String, Replaying> replaying = new HashMap<>();

    private record Replaying(MemTopics.DurableSpec spec, QueueReplay messages) {}

    FileTopics(Path dir, SegmentedLog segmentedLog, MemTopics.HistoryLimits limits) throws IOException {
        this.segmentedLog = segmentedLog;
        this.catalog = new JsonCatalog<>(dir.resolve("subscriptions.json"), SpecEntry.class);
        this.topics = new MemTopics(limits, this);
        catalog.entries().forEach((name, entry) -> replaying.put(name, new Replaying(entry.spec(name), new QueueReplay())));
    }

    TopicChannel channel() {
        return topics;
    }

    // ---- replay, in log order, then restore -------------------------------------------------------

    void replayPublish(LogRecord record) {
        QueueRecords.Send publish = QueueRecords.readSend(record.payload());
        topics.restorePublished(publish.seq(), publish.envelope());
        positions.hold(publish.seq(), record.position());
        for (Replaying r : replaying.values()) {
            if (r.spec.takes(publish.seq(), publish.envelope())) r.messages.send(publish, record.position());
        }
    }

    void replayChange(LogRecord record) {
        int type = QueueRecords.ChangeTypes.SUBSCRIPTION.asQueueType(record.type());
        QueueRecords.Change change = QueueRecords.readChange(type, record.payload());
        Replaying r = replaying.get(change.queue());
        if (r != null) r.messages.change(type, change);
    }

    void replayCheckpoint(LogRecord record) {
        topics.restoreSequence(QueueRecords.readCheckpoint(record.payload()));
    }

    /** Re-creates every durable subscription with what it had pending, once the log is replayed. */
    void restore() {
        for (Replaying r : replaying.values()) {
            topics.restoreSequence(r.spec.firstSeq()); // a subscription never waits for sequences that went back
            MemQueue queue = topics.restoreDurable(r.spec);
            subscription(r.spec.name()).restore(r.messages, queue);
        }
        replaying = null;
        topics.expireHistory(System.currentTimeMillis());
    }

    // ---- the journal ------------------------------------------------------------------------------

    @Override
    public CompletableFuture<?> published(long seq, Envelope envelope) {
        byte[] record = QueueRecords.send(envelope.subject(), seq, 0, envelope);
        positions.appending(seq, segmentedLog.endPosition());
        return segmentedLog.append(QueueRecords.PUBLISH, record)
                .whenComplete((position, error) -> positions.appended(seq, error == null ? position : -1));
    }

    @Override
    public void subscribed(MemTopics.DurableSpec spec) {
        try {
            catalog.put(spec.name(), SpecEntry.of(spec));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record durable subscription '" + spec.name() + "' in " + segmentedLog.directory(), e);
        }
    }

    @Override
    public Changes subscription(String name) {
        return subscriptions.computeIfAbsent(name, n -> new Changes(n, segmentedLog, QueueRecords.ChangeTypes.SUBSCRIPTION));
    }

    @Override
    public void took(String name, long seq) {
        Long position = positions.positionOf(seq);
        if (position != null) subscription(name).pending(seq, position);
    }

    // ---- what the log must keep -------------------------------------------------------------------

    /** The oldest log position the history or a durable subscription still needs, or {@code Long.MAX_VALUE}. */
    long oldestNeededPosition(long nowMillis) {
        topics.expireHistory(nowMillis);
        positions.releaseBelow(topics.oldestKeptSequence());
        long needed = positions.oldest();
        for (Changes c : subscriptions.values()) needed = Math.min(needed, c.oldestNeededPosition());
        return needed;
    }

    /** Records the next sequence number, so that it survives the deletion of every PUBLISH. */
    CompletableFuture<Long> checkpoint() {
        return segmentedLog.append(QueueRecords.CHECKPOINT, QueueRecords.checkpoint(topics.nextSequence()));
    }

    void close() {
        topics.close();
    }
}
