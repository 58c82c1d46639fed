package io.baton.store;

import io.baton.BatonClosedException;
import io.baton.BatonException;
import io.baton.QueueOptions;
import io.baton.internal.mem.MemBackendProvider;
import io.baton.internal.mem.MemTopics;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.QueueChannel;
import io.baton.spi.RpcChannel;
import io.baton.spi.TopicChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file:} backend: queues and topics on Baton's own append-only log in one directory,
 * surviving restarts and crashes (per the log's {@link Durability}).
 *
 * <p>At open the log is recovered and replayed once; each queue is rebuilt when first opened,
 * topics' history and durable subscriptions at once. A cleanup thread deletes log segments that
 * nothing needs any more: every SEND in them acked or discarded and older than the longest dedupe
 * window, every PUBLISH in them past the history's limits and acked by every durable subscription
 * that took it. The directory is locked against a second process.
 *
 * <p>RPC is not stored: a call is between live processes, so it runs as on {@code mem:}.
 */
public final class FileBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(FileBackend.class);
    private static final Set<Capability> CAPABILITIES = EnumSet.allOf(Capability.class);

    private final Path dir;
    private final SegmentedLog segmentedLog;
    private final QueueCatalog catalog;
    private final FileChannel lockChannel;
    private final FileLock dirLock;
    private final Map<String, QueueReplay> replayed = new HashMap<>();
    private final Map<String, FileQueue> queues = new ConcurrentHashMap<>();
    private final FileTopics topics;
    private final Backend memory = new MemBackendProvider().open("mem:");
    private final ScheduledExecutorService cleaner;
    private volatile boolean closed;

    FileBackend(Path dir, LogOptions logOptions, MemTopics.HistoryLimits historyLimits) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new BatonException("data directory " + dir.toAbsolutePath() + " is in use by another Baton (its 'lock' file is held)");
        }
        dirLock = lock;
        SegmentedLog opened = null;
        try {
            catalog = new QueueCatalog(dir);
            opened = SegmentedLog.open(dir.resolve("log"), logOptions);
            segmentedLog = opened;
            topics = new FileTopics(dir, opened, historyLimits);
            replay();
            topics.restore();
        } catch (IOException | RuntimeException e) {
            if (opened != null) opened.close();
            dirLock.release();
            lockChannel.close();
            throw e;
        }
        cleaner = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("baton-file-cleanup").unstarted(r));
        cleaner.scheduleWithFixedDelay(this::deleteUnneededSegments, 1, 1, TimeUnit.SECONDS);
    }

    private void replay() throws IOException {
        segmentedLog.replay(0, record -> {
            switch (record.type()) {
                case QueueRecords.SEND -> {
                    QueueRecords.Send send = QueueRecords.readSend(record.payload());
                    replayed.computeIfAbsent(send.queue(), q -> new QueueReplay()).send(send, record.position());
                }
                case QueueRecords.ACK, QueueRecords.RETURN, QueueRecords.DISCARD, QueueRecords.DELIVER -> {
                    QueueRecords.Change change = QueueRecords.readChange(record.type(), record.payload());
                    QueueReplay q = replayed.get(change.queue());
                    if (q != null) q.change(record.type(), change);
                }
                case QueueRecords.PUBLISH -> topics.replayPublish(record);
                case QueueRecords.CHECKPOINT -> topics.replayCheckpoint(record);
                default -> {
                    if (QueueRecords.ChangeTypes.SUBSCRIPTION.contains(record.type())) topics.replayChange(record);
                    else log.warn("{}: skipping a record of unknown type {} at position {}", dir, record.type(), record.position());
                }
            }
        });
        int messages = replayed.values().stream().mapToInt(q -> q.pending.size()).sum();
        if (messages > 0) log.info("{}: recovered {} pending messages in {} queues", dir, messages, replayed.size());
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public QueueChannel queue(String name, QueueOptions options) {
        if (closed) throw new BatonClosedException("file: backend at " + dir + " is closed");
        FileQueue existing = queues.get(name);
        if (existing != null) return existing;
        FileQueue queue = queues.computeIfAbsent(name, n -> {
            try {
                QueueOptions stored = catalog.get(n);
                if (stored == null) catalog.put(n, options);
                QueueReplay replay;
                synchronized (replayed) {
                    replay = replayed.get(n); // stays there for cleanup to see until the queue is in `queues`
                }
                return new FileQueue(n, stored != null ? stored : options, segmentedLog, replay);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create queue '" + n + "' in " + dir, e);
            }
        });
        synchronized (replayed) {
            replayed.remove(name);
        }
        return queue;
    }

    @Override
    public TopicChannel topics() {
        return topics.channel();
    }

    @Override
    public RpcChannel rpc() {
        return memory.rpc();
    }

    /** Deletes segments whose records nothing needs (see the class comment). */
    private void deleteUnneededSegments() {
        try {
            // The end first: whatever is appended after this read lands at or after it (see NeededPositions).
            long end = segmentedLog.endPosition();
            long needed = topics.oldestNeededPosition(System.currentTimeMillis());
            for (FileQueue q : queues.values()) needed = Math.min(needed, q.oldestNeededPosition());
            synchronized (replayed) {
                for (QueueReplay q : replayed.values()) needed = Math.min(needed, q.oldestNeededPosition());
            }
            long youngCutoff = System.currentTimeMillis() - catalog.longestDedupeWindowMillis();
            for (SegmentInfo s : segmentedLog.segments()) {
                if (s.lastTimestamp() >= youngCutoff) { // its SENDs' ids are still in a dedupe window
                    needed = Math.min(needed, s.basePosition());
                    break;
                }
            }
            needed = Math.min(needed, end);
            List<SegmentInfo> segments = segmentedLog.segments();
            if (segments.size() < 2 || segments.get(0).endPosition() > needed) return; // nothing to delete
            topics.checkpoint().join(); // the deleted PUBLISH records take the last sequence number with them
            long freed = segmentedLog.deleteSegmentsBefore(needed);
            if (freed > 0) log.debug("{}: deleted {} bytes of fully acknowledged log", dir, freed);
        } catch (IOException | RuntimeException e) {
            log.warn("{}: log cleanup failed, will retry: {}", dir, e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cleaner.shutdown(); // let a running cleanup pass finish rather than interrupt its file I/O
        try {
            cleaner.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queues.values().forEach(FileQueue::close);
        topics.close();
        memory.close();
        segmentedLog.close();
        try {
            dirLock.release();
            lockChannel.close();
        } catch (IOException e) {
            log.warn("{}: could not release the directory lock: {}", dir, e.toString());
        }
    }
}
