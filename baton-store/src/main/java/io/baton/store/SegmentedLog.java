package io.baton.store;

import static io.baton.store.LogRecordFormat.RECORD_HEADER_BYTES;
import static io.baton.store.LogRecordFormat.SEGMENT_HEADER_BYTES;

import io.baton.PayloadTooLargeException;
import io.baton.store.LogRecordFormat.HeaderCheck;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * An append-only log of typed byte records in a directory of segment files, with group commit,
 * crash recovery and retention. The storage of the {@code file:} backend and of the Baton server.
 *
 * <p>Files: {@code <20-digit base position>.log}, each a 32-byte segment header then records back
 * to back; {@code <name>.corrupt} is a copy of a segment that recovery found damaged. A record:
 * <pre>
 *  0         1        2             6                  14               18              22
 * +---------+--------+-------------+------------------+----------------+---------------+-----------------+
 * | version | type   | length      | timestamp        | payload crc32c | header crc32c | payload         |
 * | u8 (1)  | u8     | u32 BE      | i64 BE (epoch ms)| u32 BE         | u32 BE        | length bytes    |
 * +---------+--------+-------------+------------------+----------------+---------------+-----------------+
 * payload crc32c = CRC32C(payload); header crc32c = CRC32C(bytes 0..17).
 * </pre>
 * {@code docs/log-format.md} has the full layout, segment header included, and the recovery rules.
 *
 * <p>Positions: a record's position is its byte offset in the log as if the segments' records were
 * one stream (segment base position + offset in the file - 32). The first record of a new log is
 * at 0; positions grow with every append and are never reused; a segment's base position is the
 * previous segment's end.
 *
 * <p>Threads: every method is thread-safe. One writer thread per log does all writing; appends
 * queue to it and never block. Future callbacks attached without {@code *Async} run on that writer
 * thread: keep them short and never wait on the log there ({@code append(..).join()} inside such a
 * callback deadlocks). {@link #replay} reads on the caller's thread, concurrently with appends.
 *
 * <p>Recovery ({@link #open}): every record of every segment is verified. A record that fails in
 * the last segment with no verified record after it is a torn tail (a crash cut the write short):
 * it is truncated away. Any other failure is corruption: logged at ERROR with file and offset,
 * listed in {@link #recoveryReport()}, the segment copied aside as {@code .corrupt}, and every
 * record that still verifies around the damage is still served. Nothing is deleted.
 */
public final class SegmentedLog implements AutoCloseable {

    private static final int REPLAY_WINDOW_BYTES = 128 * 1024;

    private final Path dir;
    private final LogOptions options;
    private final RecoveryReport report;
    private final Object segmentsLock = new Object();
    private volatile List<Segment> segments;  // oldest first; the last one is active
    private final GroupCommitter committer;
    private volatile boolean closed;

    private SegmentedLog(Path dir, LogOptions options, LogRecovery.Recovered recovered) {
        this.dir = dir;
        this.options = options;
        this.report = recovered.report();
        this.segments = List.copyOf(recovered.segments());
        this.committer = new GroupCommitter(this, segments.get(segments.size() - 1), recovered.activeChannel(), recovered.lastTimestamp());
    }

    /**
     * Opens the log in {@code dir}, creating the directory and a first segment if needed, and
     * recovers it (see the class comment); {@link #recoveryReport()} tells what was found.
     *
     * @throws StoreException if a file was written by a newer format version, or segments overlap
     * @throws IOException    if the directory or a segment cannot be read or repaired
     */
    public static SegmentedLog open(Path dir, LogOptions options) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        Path absolute = dir.toAbsolutePath();
        LogRecovery.Recovered recovered = new LogRecovery(absolute, options.channels()).recover();
        SegmentedLog log = new SegmentedLog(absolute, options, recovered);
        log.committer.start();
        return log;
    }

    /**
     * Appends one record. Thread-safe and never blocks: the record is queued to the writer thread.
     * Appends from one thread get increasing positions in call order.
     *
     * <p>The future completes with the record's position once the record is as safe as
     * {@link LogOptions#durability()} promises: under {@link Durability#FSYNC}, after the fsync
     * that covers it (shared with every append written in the same batch). It fails with
     * {@link StoreFullException} if the disk is full, {@link StoreException} on another I/O error
     * (in both cases the partial write was cut off again and nothing else is affected),
     * {@link LogClosedException} after {@link #close()}, {@link PayloadTooLargeException} past
     * {@link LogOptions#maxRecordBytes()}. A failed append was not acknowledged; like any write
     * whose outcome was an error, it may or may not be found after a later crash.
     *
     * @param type    the caller's record type, 0..255, stored with it
     * @param payload the bytes; the log reads them until the future completes: do not change them before
     * @throws IllegalArgumentException if {@code type} is out of range
     */
    public CompletableFuture<Long> append(int type, byte[] payload) {
        if (type < 0 || type > 255) throw new IllegalArgumentException("record type must be 0..255: " + type);
        Objects.requireNonNull(payload, "payload");
        CompletableFuture<Long> future = new CompletableFuture<>();
        if (payload.length > options.maxRecordBytes()) {
            future.completeExceptionally(new PayloadTooLargeException("record of " + payload.length + " bytes is larger than the log's limit of "
                + options.maxRecordBytes() + " bytes"));
            return future;
        }
        committer.submit(new GroupCommitter.PendingAppend(type, payload, future));
        return future;
    }

    /**
     * Reads, on the calling thread, every record with position {@code >= from} that is in the log
     * when the call starts (appends completed by then), in position order. Ranges that recovery
     * found damaged are skipped (they are in {@link #recoveryReport()}); a segment deleted by
     * retention meanwhile is skipped. Each record's payload is a fresh array the consumer owns.
     *
     * @throws LogCorruptionException if a record fails verification now that passed it at open (the disk changed under the log)
     * @throws LogClosedException     after {@link #close()}
     */
    public void replay(long from, Consumer<LogRecord> consumer) throws IOException {
        Objects.requireNonNull(consumer, "consumer");
        ensureOpen();
        CRC32C crc = new CRC32C();
        for (Segment segment : segments) {
            long size = segment.size();
            if (segment.position(size) <= from) continue;
            long start = from <= segment.base ? SEGMENT_HEADER_BYTES : segment.seekOffset(segment.offset(from));
            FileChannel channel = openForReading(segment);
            if (channel == null) continue; // deleted by retention meanwhile
            try (channel) {
                SegmentReader reader = new SegmentReader(channel, size, REPLAY_WINDOW_BYTES);
                readRecords(segment, reader, start, from, record -> {
                    crc.reset();
                    crc.update(record.payload());
                    return (int) crc.getValue();
                }, consumer);
            }
        }
    }

    /** Reads records of one segment from a known record start; checks each payload with {@code checksum}. */
    private static void readRecords(Segment segment, SegmentReader reader, long start, long from,
                                    java.util.function.ToIntFunction<LogRecord> checksum, Consumer<LogRecord> consumer) throws IOException {
        List<Segment.Range> damaged = segment.damaged;
        int d = 0;
        long offset = start;
        long size = reader.limit();
        while (offset < size) {
            while (d < damaged.size() && damaged.get(d).end() <= offset) d++;
            if (d < damaged.size() && damaged.get(d).start() <= offset) {
                offset = damaged.get(d).end();
                continue;
            }
            HeaderCheck check = reader.header(offset);
            if (check != HeaderCheck.VALID) {
                throw new LogCorruptionException(segment.path, offset, check.describe(LogRecordFormat.recordLength(reader.array(), reader.headerIndex()), size)
                    + " (it verified when the log was opened)");
            }
            byte[] header = reader.array();
            int i = reader.headerIndex();
            int length = (int) LogRecordFormat.recordLength(header, i);
            long position = segment.position(offset);
            if (position >= from) {
                int type = LogRecordFormat.recordType(header, i);
                long timestamp = LogRecordFormat.recordTimestamp(header, i);
                int expected = LogRecordFormat.payloadCrc(header, i);
                byte[] payload = new byte[length];
                reader.read(offset + RECORD_HEADER_BYTES, payload);
                LogRecord record = new LogRecord(position, type, payload, timestamp);
                if (checksum.applyAsInt(record) != expected) {
                    throw new LogCorruptionException(segment.path, offset, "payload checksum mismatch (it verified when the log was opened)");
                }
                consumer.accept(record);
            }
            offset += RECORD_HEADER_BYTES + length;
        }
    }

    /**
     * The position of the first record appended at or after {@code epochMillis}, or
     * {@link #endPosition()} if there is none: where a subscription that starts at a time replays from.
     */
    public long positionAt(long epochMillis) throws IOException {
        ensureOpen();
        for (Segment segment : segments) {
            if (segment.lastTimestamp() < epochMillis) continue;
            long size = segment.size();
            FileChannel channel = openForReading(segment);
            if (channel == null) continue; // deleted by retention meanwhile
            try (channel) {
                SegmentReader reader = new SegmentReader(channel, size, REPLAY_WINDOW_BYTES);
                List<Segment.Range> damaged = segment.damaged;
                int d = 0;
                long offset = segment.seekTime(epochMillis);
                while (offset < size) {
                    while (d < damaged.size() && damaged.get(d).end() <= offset) d++;
                    if (d < damaged.size() && damaged.get(d).start() <= offset) {
                        offset = damaged.get(d).end();
                        continue;
                    }
                    if (reader.header(offset) != HeaderCheck.VALID) throw new LogCorruptionException(segment.path, offset, "record header fails verification now");
                    if (LogRecordFormat.recordTimestamp(reader.array(), reader.headerIndex()) >= epochMillis) return segment.position(offset);
                    offset += RECORD_HEADER_BYTES + LogRecordFormat.recordLength(reader.array(), reader.headerIndex());
                }
            }
        }
        return endPosition();
    }

    /** What recovery found when the log was opened. */
    public RecoveryReport recoveryReport() {
        return report;
    }

    /**
     * Deletes, oldest first, every sealed segment all of whose records have positions below
     * {@code position}; stops at the first that has not, and never deletes the active segment.
     * Copies in quarantine ({@code .corrupt}) are kept. Thread-safe; a concurrent replay skips a
     * deleted segment.
     *
     * @return bytes freed
     */
    public long deleteSegmentsBefore(long position) throws IOException {
        return deleteOldest(segment -> segment.endPosition() <= position);
    }

    /**
     * Deletes, oldest first, every sealed segment whose newest record was appended before
     * {@code cutoffMillis} (epoch ms), for retention by age; stops at the first that is not, and
     * never deletes the active segment. A segment without a readable record counts by its creation time.
     *
     * @return bytes freed
     */
    public long deleteSegmentsOlderThan(long cutoffMillis) throws IOException {
        return deleteOldest(segment -> newestTime(segment) < cutoffMillis);
    }

    private static long newestTime(Segment segment) throws IOException {
        if (segment.lastTimestamp() >= 0) return segment.lastTimestamp();
        if (segment.createdMillis >= 0) return segment.createdMillis;
        return Files.getLastModifiedTime(segment.path).toMillis();
    }

    private interface SegmentTest {
        boolean test(Segment segment) throws IOException;
    }

    private long deleteOldest(SegmentTest deletable) throws IOException {
        ensureOpen();
        synchronized (segmentsLock) {
            List<Segment> current = segments;
            long freed = 0;
            int deleted = 0;
            try {
                while (deleted < current.size() - 1 && deletable.test(current.get(deleted))) {
                    Segment segment = current.get(deleted);
                    long bytes = Files.size(segment.path);
                    Files.delete(segment.path);
                    deleted++;
                    freed += bytes;
                    // One at a time, so a power loss never brings back a later segment without an earlier one.
                    SegmentFiles.fsyncDirectory(options.channels(), dir);
                }
            } finally {
                if (deleted > 0) segments = List.copyOf(current.subList(deleted, current.size()));
            }
            return freed;
        }
    }

    /** The position the next append gets if none is in flight: just past the last completed record. */
    public long endPosition() {
        List<Segment> current = segments;
        return current.get(current.size() - 1).endPosition();
    }

    /** The base position of the oldest segment still kept: everything before it was deleted. */
    public long startPosition() {
        return segments.get(0).base;
    }

    /** The segments, oldest first; the last one is active. */
    public List<SegmentInfo> segments() {
        List<Segment> current = segments;
        List<SegmentInfo> infos = new ArrayList<>(current.size());
        for (int k = 0; k < current.size(); k++) infos.add(current.get(k).info(k == current.size() - 1));
        return infos;
    }

    /** Appends, batches and fsyncs since open: appends per fsync is how well group commit batches. */
    public LogStats stats() {
        return committer.stats();
    }

    public Path directory() {
        return dir;
    }

    public LogOptions options() {
        return options;
    }

    /**
     * Completes every append already made (writing it and, in every durability mode, fsyncing it),
     * then closes the files. Later appends fail with {@link LogClosedException}. Idempotent. Called
     * from a callback on the writer thread, it starts the close and returns without waiting.
     */
    @Override
    public void close() {
        closed = true;
        committer.close();
    }

    /** Called by the writer when it rolls: the new segment becomes visible (and active) before records go into it. */
    void publish(Segment segment) {
        synchronized (segmentsLock) {
            List<Segment> next = new ArrayList<>(segments);
            next.add(segment);
            segments = List.copyOf(next);
        }
    }

    private void ensureOpen() {
        if (closed) throw new LogClosedException("log " + dir + " is closed");
    }

    @Override
    public String toString() {
        return "SegmentedLog[" + dir + "]";
    }

    /** Opens a segment to read it; null if retention deleted it meanwhile. */
    private FileChannel openForReading(Segment segment) throws IOException {
        try {
            return options.channels().open(segment.path, SegmentFiles.READ_ONLY);
        } catch (NoSuchFileException deletedByRetention) {
            return null;
        }
    }
}
