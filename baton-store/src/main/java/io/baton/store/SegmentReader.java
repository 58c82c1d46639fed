package io.baton.store;

import static io.baton.store.LogRecordFormat.RECORD_HEADER_BYTES;

import io.baton.store.LogRecordFormat.HeaderCheck;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads a segment file through a window of positional reads, never past {@code limit}. Used by
 * recovery and replay; one per reading thread. Records longer than the window are checksummed in
 * pieces and read straight into their own array, so memory stays bounded by the window.
 */
final class SegmentReader {

    private final FileChannel channel;
    private final long limit;
    private final byte[] window;
    private final ByteBuffer windowBuffer;
    private long windowStart;
    private int windowLength;
    private int headerIndex;
    private final CRC32C crc = new CRC32C();

    SegmentReader(FileChannel channel, long limit, int windowBytes) {
        this.channel = channel;
        this.limit = limit;
        this.window = new byte[(int) Math.max(64, Math.min(windowBytes, limit))];  // small files, small windows
        this.windowBuffer = ByteBuffer.wrap(window);
    }

    long limit() { return limit; }

    byte[] array() { return window; }

    /** Makes bytes [offset, offset + n) readable at the returned index of {@link #array()}; n fits the window. */
    int load(long offset, int n) throws IOException {
        if (offset >= windowStart && offset + n <= windowStart + windowLength) return (int) (offset - windowStart);
        windowStart = offset;
        windowLength = 0;
        windowBuffer.clear().limit((int) Math.min(window.length, limit - offset));
        while (windowBuffer.hasRemaining()) {
            if (channel.read(windowBuffer, offset + windowBuffer.position()) < 0) break;
        }
        windowLength = windowBuffer.position();
        if (windowLength < n) throw new EOFException("file ends at " + (offset + windowLength) + ", expected " + n + " bytes at " + offset);
        return 0;
    }

    /**
     * Checks the record header at {@code offset}. When {@link HeaderCheck#VALID VALID}, its fields
     * are at {@link #headerIndex()} of {@link #array()} until the next call.
     */
    HeaderCheck header(long offset) throws IOException {
        if (limit - offset < RECORD_HEADER_BYTES) return HeaderCheck.CUT_SHORT;
        headerIndex = load(offset, RECORD_HEADER_BYTES);
        return LogRecordFormat.checkRecordHeader(window, headerIndex, offset, limit);
    }

    int headerIndex() { return headerIndex; }

    /** Whether the payload of the record whose header was just checked at {@code offset} matches its checksum. */
    boolean payloadVerifies(long offset) throws IOException {
        int expected = LogRecordFormat.payloadCrc(window, headerIndex);
        long length = LogRecordFormat.recordLength(window, headerIndex);
        crc.reset();
        long at = offset + RECORD_HEADER_BYTES;
        long remaining = length;
        while (remaining > 0) {
            int n = (int) Math.min(remaining, window.length);
            int i = load(at, n);
            crc.update(window, i, n);
            at += n;
            remaining -= n;
        }
        return (int) crc.getValue() == expected;
    }

    /** Reads {@code dst.length} bytes at {@code offset}. */
    void read(long offset, byte[] dst) throws IOException {
        if (dst.length <= window.length) {
            int i = load(offset, dst.length);
            System.arraycopy(window, i, dst, 0, dst.length);
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(dst);
        while (b.hasRemaining()) {
            if (channel.read(b, offset + b.position()) < 0) throw new EOFException("file ends before " + (offset + dst.length));
        }
    }
}
