package io.baton.store;

import static io.baton.store.LogRecordFormat.RECORD_HEADER_BYTES;
import static io.baton.store.LogRecordFormat.SEGMENT_HEADER_BYTES;

import io.baton.store.LogRecordFormat.HeaderCheck;
import io.baton.store.LogRecordFormat.SegmentHeader;
import io.baton.store.RecoveryReport.Corruption;
import io.baton.store.RecoveryReport.TruncatedTail;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a log directory: verifies every record of every segment, cuts a torn tail off the last
 * segment, and reports (and quarantines) damage anywhere else. Runs once, on the thread that calls
 * {@link SegmentedLog#open}, before the writer starts.
 *
 * <p>The rules: a record that fails verification is a <em>torn tail</em> if it is in the last
 * segment and no record after it verifies: a crash cut the last write short, that write was never
 * acknowledged under fsync, and the file is truncated there. Anything else that fails is
 * <em>corruption</em>: reported with file and offset, the segment copied aside, and reading
 * resumes at the next offset where a whole record verifies (header checksum, then payload checksum).
 */
final class LogRecovery {

    private static final Logger log = LoggerFactory.getLogger(SegmentedLog.class);
    private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{20}\\.log");
    private static final int WINDOW_BYTES = 1 << 20;

    /** What the log starts from: segments oldest first (the last one active) and its open channel. */
    record Recovered(List<Segment> segments, FileChannel activeChannel, long lastTimestamp, RecoveryReport report) {}

    private final Path dir;
    private final ChannelFactory channels;
    private final List<TruncatedTail> tails = new ArrayList<>();
    private final List<Corruption> corruptions = new ArrayList<>();
    private final List<Path> quarantined = new ArrayList<>();
    private long lastTimestamp = -1;

    LogRecovery(Path dir, ChannelFactory channels) {
        this.dir = dir;
        this.channels = channels;
    }

    Recovered recover() throws IOException {
        createDirectories();
        List<Path> files = segmentFiles();
        List<Segment> segments = new ArrayList<>();
        FileChannel active = null;
        try {
            for (int k = 0; k < files.size(); k++) {
                boolean last = k == files.size() - 1;
                Path file = files.get(k);
                long base = Long.parseLong(file.getFileName().toString().substring(0, 20));
                if (!segments.isEmpty()) checkContiguous(segments.get(segments.size() - 1), file, base);
                Scan scan = scan(file, base);
                if (last) {
                    active = channels.open(file, SegmentFiles.READ_WRITE);
                    segments.add(recoverLast(scan, active));
                } else {
                    segments.add(recoverSealed(scan));
                }
            }
            if (active == null) {
                long now = System.currentTimeMillis();
                active = SegmentFiles.create(channels, dir, 0, now);
                segments.add(new Segment(dir.resolve(Segment.fileName(0)), 0, now, SEGMENT_HEADER_BYTES, List.of()));
            }
        } catch (IOException | RuntimeException e) {
            if (active != null) SegmentFiles.closeQuietly(active);
            throw e;
        }
        return new Recovered(segments, active, lastTimestamp, new RecoveryReport(tails, corruptions, quarantined));
    }

    /** Creates the directory and any missing parents, each made durable in its parent. */
    private void createDirectories() throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) missing.add(0, p);
        if (missing.isEmpty()) return;
        Files.createDirectories(dir);
        for (Path created : missing) {
            if (created.getParent() != null) SegmentFiles.fsyncDirectory(channels, created.getParent());
        }
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(p -> SEGMENT_NAME.matcher(p.getFileName().toString()).matches())
                          .filter(p -> p.getFileName().toString().compareTo("09223372036854775807.log") <= 0)
                          .sorted()
                          .toList();
        }
    }

    private void checkContiguous(Segment previous, Path file, long base) {
        long expected = previous.endPosition();
        if (base > expected) {
            corruption(file, 0, 0, "positions " + expected + ".." + (base - 1) + " are missing: no segment file holds them");
        } else if (base < expected) {
            throw new StoreException(file + " starts at position " + base + " but " + previous.path + " runs to " + expected
                + ": overlapping segments are never written by Baton (a second writer, or files copied in?); refusing to open " + dir);
        }
    }

    /** What one pass over a segment file found. */
    private static final class Scan {
        final Path file;
        final long base;
        long size;
        long created = -1;
        String headerProblem;
        final List<Segment.Range> damaged = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();
        long badTailAt = -1;
        String badTailReason;
        long records;
        long newestTimestamp = -1;
        long nextIndexAt;
        final List<long[]> indexed = new ArrayList<>();  // {offset, timestamp}, one per Segment.INDEX_INTERVAL

        void verified(long offset, long timestamp) {
            records++;
            newestTimestamp = timestamp;
            if (offset >= nextIndexAt) {
                indexed.add(new long[] {offset, timestamp});
                nextIndexAt = offset + Segment.INDEX_INTERVAL;
            }
        }

        Scan(Path file, long base) {
            this.file = file;
            this.base = base;
        }
    }

    private Scan scan(Path file, long base) throws IOException {
        Scan scan = new Scan(file, base);
        try (FileChannel channel = channels.open(file, SegmentFiles.READ_ONLY)) {
            long size = channel.size();
            scan.size = size;
            SegmentReader reader = new SegmentReader(channel, size, WINDOW_BYTES);
            if (size < SEGMENT_HEADER_BYTES) {
                scan.headerProblem = "segment header cut short: " + size + " of " + SEGMENT_HEADER_BYTES + " bytes";
                return scan;
            }
            SegmentHeader header = LogRecordFormat.readSegmentHeader(reader.array(), reader.load(0, SEGMENT_HEADER_BYTES), SEGMENT_HEADER_BYTES);
            if (!header.valid()) {
                scan.headerProblem = header.problem();
            } else if (header.version() != LogRecordFormat.FORMAT_VERSION) {
                throw new StoreException(file + " has log format version " + header.version() + "; this Baton reads version "
                    + LogRecordFormat.FORMAT_VERSION + " only (written by a newer Baton?)");
            } else if (header.basePosition() != base) {
                scan.headerProblem = "bad segment header: base position " + header.basePosition() + " does not match the file name";
            } else {
                scan.created = header.createdMillis();
            }
            long offset = SEGMENT_HEADER_BYTES;
            while (offset < size) {
                HeaderCheck check = reader.header(offset);
                String problem = null;
                long length = 0;
                if (check == HeaderCheck.UNKNOWN_VERSION) {
                    throw new StoreException(file + " at offset " + offset + ": record format version "
                        + LogRecordFormat.recordVersion(reader.array(), reader.headerIndex()) + "; this Baton reads version "
                        + LogRecordFormat.FORMAT_VERSION + " only (written by a newer Baton?)");
                }
                if (check != HeaderCheck.VALID) {
                    problem = check.describe(check == HeaderCheck.PAST_END_OF_FILE ? LogRecordFormat.recordLength(reader.array(), reader.headerIndex()) : 0, size);
                } else {
                    length = LogRecordFormat.recordLength(reader.array(), reader.headerIndex());
                    long timestamp = LogRecordFormat.recordTimestamp(reader.array(), reader.headerIndex());
                    if (reader.payloadVerifies(offset)) {
                        scan.verified(offset, timestamp);
                        offset += RECORD_HEADER_BYTES + length;
                        continue;
                    }
                    problem = "payload checksum mismatch (" + length + " bytes)";
                }
                long next = resync(reader, offset + 1);
                if (next < 0) {
                    scan.badTailAt = offset;
                    scan.badTailReason = problem;
                    break;
                }
                scan.damaged.add(new Segment.Range(offset, next));
                scan.reasons.add(problem);
                offset = next;
            }
        }
        return scan;
    }

    /** The first offset at or after {@code from} where a whole record verifies, or -1. */
    private static long resync(SegmentReader reader, long from) throws IOException {
        long last = reader.limit() - RECORD_HEADER_BYTES;
        for (long offset = from; offset <= last; offset++) {
            int i = reader.load(offset, 1);
            if ((reader.array()[i] & 0xFF) != LogRecordFormat.FORMAT_VERSION) continue;  // cheap filter first
            if (reader.header(offset) == HeaderCheck.VALID && reader.payloadVerifies(offset)) return offset;
        }
        return -1;
    }

    private Segment recoverSealed(Scan scan) throws IOException {
        List<Segment.Range> damaged = new ArrayList<>(scan.damaged);
        List<String> reasons = new ArrayList<>(scan.reasons);
        if (scan.headerProblem != null) {
            damaged.add(0, new Segment.Range(0, Math.min(SEGMENT_HEADER_BYTES, scan.size)));
            reasons.add(0, scan.headerProblem);
        }
        if (scan.badTailAt >= 0) {
            damaged.add(new Segment.Range(scan.badTailAt, scan.size));
            reasons.add(scan.badTailReason + "; nothing after it in this sealed segment verifies");
        }
        quarantine(scan, damaged, reasons);
        return segment(scan, scan.size, damaged);
    }

    private Segment recoverLast(Scan scan, FileChannel channel) throws IOException {
        boolean tornHeader = scan.headerProblem != null && scan.records == 0 && scan.damaged.isEmpty();
        if (tornHeader) {
            // A crash while the segment was being created: it never held a record. Start it again.
            channel.truncate(0);
            SegmentFiles.writeHeader(channel, scan.base, System.currentTimeMillis());
            tail(scan.file, 0, scan.size, scan.headerProblem);
            return new Segment(scan.file, scan.base, System.currentTimeMillis(), SEGMENT_HEADER_BYTES, List.of());
        }
        List<Segment.Range> damaged = new ArrayList<>(scan.damaged);
        List<String> reasons = new ArrayList<>(scan.reasons);
        if (scan.headerProblem != null) {
            damaged.add(0, new Segment.Range(0, SEGMENT_HEADER_BYTES));
            reasons.add(0, scan.headerProblem);
        }
        quarantine(scan, damaged, reasons);  // before truncating: the copy keeps the torn bytes too
        long size = scan.size;
        if (scan.badTailAt >= 0) {
            channel.truncate(scan.badTailAt);
            channel.force(false);
            tail(scan.file, scan.badTailAt, scan.size - scan.badTailAt, scan.badTailReason);
            size = scan.badTailAt;
        }
        return segment(scan, size, damaged);
    }

    private Segment segment(Scan scan, long size, List<Segment.Range> damaged) {
        Segment segment = new Segment(scan.file, scan.base, scan.created, size, damaged);
        for (long[] entry : scan.indexed) segment.noteRecord(entry[0], entry[1]);
        segment.committed(size, scan.newestTimestamp);
        if (scan.newestTimestamp > lastTimestamp) lastTimestamp = scan.newestTimestamp;
        return segment;
    }

    private void quarantine(Scan scan, List<Segment.Range> damaged, List<String> reasons) throws IOException {
        if (damaged.isEmpty()) return;
        for (int k = 0; k < damaged.size(); k++) {
            Segment.Range range = damaged.get(k);
            corruption(scan.file, range.start(), range.end() - range.start(), reasons.get(k));
        }
        Path copy = SegmentFiles.quarantine(channels, scan.file);
        quarantined.add(copy);
        log.error("{}: damaged, copied aside to {}; every record around the damage that verifies is still served", scan.file, copy.getFileName());
    }

    private void corruption(Path file, long offset, long length, String reason) {
        corruptions.add(new Corruption(file, offset, length, reason));
        log.error("{} at offset {}: {} ({} bytes skipped)", file, offset, reason, length);
    }

    private void tail(Path file, long offset, long bytes, String reason) {
        tails.add(new TruncatedTail(file, offset, bytes));
        log.warn("{}: torn tail cut off at offset {} ({} bytes: {}), the unfinished write of a crash", file, offset, bytes, reason);
    }
}
