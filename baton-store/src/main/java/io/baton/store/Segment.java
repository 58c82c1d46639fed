package io.baton.store;

import static io.baton.store.LogRecordFormat.SEGMENT_HEADER_BYTES;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One segment file: where it is, which positions it holds, what recovery found damaged in it, and
 * a sparse index (one record start every {@value #INDEX_INTERVAL} bytes, with its timestamp) so a
 * replay from the middle of a segment, or from a time, starts near its first record. Only the
 * writer thread (or recovery, before the log is published) changes it; readers see committed
 * records only.
 */
final class Segment {

    static final long INDEX_INTERVAL = 64 * 1024;

    /** A byte range [start, end) of the file that failed verification and is skipped. */
    record Range(long start, long end) {}

    final Path path;
    final long base;
    /** From the segment header; -1 if the header was damaged. */
    final long createdMillis;
    /** Damaged ranges found at open, sorted; never changes afterwards. */
    final List<Range> damaged;

    private volatile long size;
    private volatile long firstTimestamp = -1;
    private volatile long lastTimestamp = -1;

    private long[] indexOffsets = new long[8];
    private long[] indexTimes = new long[8];
    private int indexCount;
    private long nextIndexAt;  // writer thread only

    Segment(Path path, long base, long createdMillis, long size, List<Range> damaged) {
        this.path = path;
        this.base = base;
        this.createdMillis = createdMillis;
        this.size = size;
        this.damaged = List.copyOf(damaged);
    }

    static String fileName(long base) {
        return String.format("%020d.log", base);
    }

    /** Bytes of the file that hold committed records, header included. */
    long size() { return size; }

    long endPosition() { return position(size); }

    long position(long offset) { return base + offset - SEGMENT_HEADER_BYTES; }

    long offset(long position) { return position - base + SEGMENT_HEADER_BYTES; }

    long firstTimestamp() { return firstTimestamp; }

    long lastTimestamp() { return lastTimestamp; }

    /** Notes a verified or committed record; called in file order, before {@link #committed}. */
    void noteRecord(long offset, long timestamp) {
        if (firstTimestamp < 0) firstTimestamp = timestamp;
        if (offset >= nextIndexAt) {
            synchronized (this) {
                if (indexCount == indexOffsets.length) {
                    indexOffsets = Arrays.copyOf(indexOffsets, indexCount * 2);
                    indexTimes = Arrays.copyOf(indexTimes, indexCount * 2);
                }
                indexOffsets[indexCount] = offset;
                indexTimes[indexCount] = timestamp;
                indexCount++;
            }
            nextIndexAt = offset + INDEX_INTERVAL;
        }
    }

    /** Publishes records up to {@code newSize} to readers. */
    void committed(long newSize, long newestTimestamp) {
        if (newestTimestamp >= 0) lastTimestamp = newestTimestamp;
        size = newSize;
    }

    /** The offset of an indexed record at or before {@code offset}: where a scan for it starts. */
    synchronized long seekOffset(long offset) {
        int lo = 0, hi = indexCount - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (indexOffsets[mid] <= offset) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
        }
        return found < 0 ? SEGMENT_HEADER_BYTES : indexOffsets[found];
    }

    /** The offset of the last indexed record older than {@code timestamp}: where a scan for it starts. */
    synchronized long seekTime(long timestamp) {
        int lo = 0, hi = indexCount - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (indexTimes[mid] < timestamp) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
        }
        return found < 0 ? SEGMENT_HEADER_BYTES : indexOffsets[found];
    }

    SegmentInfo info(boolean active) {
        long s = size;
        return new SegmentInfo(base, position(s), path, s, firstTimestamp, lastTimestamp, active);
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
