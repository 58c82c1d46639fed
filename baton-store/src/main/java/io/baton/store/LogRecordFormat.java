package io.baton.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The byte layout of segment files, version 1: one segment header, then records back to back.
 * {@code docs/log-format.md} is the full specification; this class is its only implementation.
 *
 * <p>Segment header, 32 bytes at offset 0 of every segment file:
 * <pre>
 *  0        8         10         12                  20                  28          32
 * +---------+---------+----------+-------------------+-------------------+-----------+
 * | magic   | version | reserved | base position     | created           | crc32c    |
 * | "BATON  | u16 BE  | u16 = 0  | i64 BE            | i64 BE (epoch ms) | u32 BE    |
 * |  LOG"   | (1)     |          |                   |                   | of 0..27  |
 * +---------+---------+----------+-------------------+-------------------+-----------+
 * </pre>
 *
 * <p>Record, 22 header bytes then the payload:
 * <pre>
 *  0         1        2             6                  14               18              22
 * +---------+--------+-------------+------------------+----------------+---------------+-----------------+
 * | version | type   | length      | timestamp        | payload crc32c | header crc32c | payload         |
 * | u8 (1)  | u8     | u32 BE      | i64 BE (epoch ms)| u32 BE         | u32 BE        | length bytes    |
 * +---------+--------+-------------+------------------+----------------+---------------+-----------------+
 * payload crc32c = CRC32C(payload); header crc32c = CRC32C(bytes 0..17), so it covers the version,
 * type, length, timestamp and, through the payload crc32c, the payload.
 * </pre>
 * The header carries its own checksum so that recovery can tell a record boundary from payload
 * bytes cheaply when it resynchronises past damage, and can reject a damaged length before
 * trusting it. A record's position is its segment's base position plus its offset in the file
 * minus the 32 header bytes: positions count record bytes across segments and never repeat.
 */
final class LogRecordFormat {

    static final int FORMAT_VERSION = 1;

    static final byte[] MAGIC = "BATONLOG".getBytes(StandardCharsets.US_ASCII);
    static final int SEGMENT_HEADER_BYTES = 32;
    static final int SEGMENT_HEADER_CRC_OFFSET = 28;

    static final int RECORD_HEADER_BYTES = 22;
    static final int RECORD_HEADER_CRC_OFFSET = 18;
    static final int PAYLOAD_CRC_OFFSET = 14;

    /** The longest payload a reader of this version can hold in one Java array. */
    static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 64;

    private LogRecordFormat() {}

    // ---- segment header ----

    /** Writes a segment header at {@code buffer}'s position (32 bytes). */
    static void putSegmentHeader(ByteBuffer buffer, long basePosition, long createdMillis) {
        int start = buffer.position();
        buffer.put(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) 0)
              .putLong(basePosition).putLong(createdMillis);
        buffer.putInt(crc(buffer, start, SEGMENT_HEADER_CRC_OFFSET));
    }

    /** A segment header as read, or why it is not one. */
    record SegmentHeader(long basePosition, long createdMillis, int version, String problem) {
        boolean valid() { return problem == null; }
    }

    /**
     * Reads the 32-byte segment header at {@code a[i..]}. A header whose checksum holds but whose
     * version is newer than this reader is reported valid with that version; the caller refuses it.
     */
    static SegmentHeader readSegmentHeader(byte[] a, int i, int available) {
        if (available < SEGMENT_HEADER_BYTES) return new SegmentHeader(-1, -1, -1, "segment header cut short: " + available + " of " + SEGMENT_HEADER_BYTES + " bytes");
        for (int k = 0; k < MAGIC.length; k++) {
            if (a[i + k] != MAGIC[k]) return new SegmentHeader(-1, -1, -1, "bad segment header: magic is not BATONLOG");
        }
        int stored = getInt(a, i + SEGMENT_HEADER_CRC_OFFSET);
        int actual = crc(a, i, SEGMENT_HEADER_CRC_OFFSET);
        if (stored != actual) return new SegmentHeader(-1, -1, -1, "bad segment header: checksum mismatch");
        int version = getShort(a, i + 8);
        return new SegmentHeader(getLong(a, i + 12), getLong(a, i + 20), version, null);
    }

    // ---- records ----

    /** Writes a record header at {@code buffer}'s position (22 bytes); the payload goes after it. */
    static void putRecordHeader(ByteBuffer buffer, int type, int length, long timestamp, int payloadCrc) {
        byte[] header = new byte[RECORD_HEADER_BYTES];
        encodeRecordHeader(header, type, length, timestamp, payloadCrc, new CRC32C());
        buffer.put(header);
    }

    /** Encodes a record header into {@code header[0..22)}, using {@code crc} as scratch: no allocation. */
    static void encodeRecordHeader(byte[] header, int type, int length, long timestamp, int payloadCrc, CRC32C crc) {
        header[0] = (byte) FORMAT_VERSION;
        header[1] = (byte) type;
        putInt(header, 2, length);
        putInt(header, 6, (int) (timestamp >>> 32));
        putInt(header, 10, (int) timestamp);
        putInt(header, PAYLOAD_CRC_OFFSET, payloadCrc);
        crc.reset();
        crc.update(header, 0, RECORD_HEADER_CRC_OFFSET);
        putInt(header, RECORD_HEADER_CRC_OFFSET, (int) crc.getValue());
    }

    private static void putInt(byte[] a, int i, int value) {
        a[i] = (byte) (value >>> 24);
        a[i + 1] = (byte) (value >>> 16);
        a[i + 2] = (byte) (value >>> 8);
        a[i + 3] = (byte) value;
    }

    /** Outcome of checking a record header; everything but {@link #VALID} is damage or a torn write. */
    enum HeaderCheck {
        VALID, CUT_SHORT, CHECKSUM_MISMATCH, UNKNOWN_VERSION, PAST_END_OF_FILE;

        String describe(long length, long fileSize) {
            return switch (this) {
                case VALID -> "valid";
                case CUT_SHORT -> "record header cut short by the end of the file";
                case CHECKSUM_MISMATCH -> "record header checksum mismatch";
                case UNKNOWN_VERSION -> "record format version unknown to this reader";
                case PAST_END_OF_FILE -> "record of " + length + " bytes runs past the end of the file (" + fileSize + " bytes)";
            };
        }
    }

    /**
     * Checks the record header at {@code a[i..i+22)}, found at file offset {@code offset} of a file
     * of {@code fileSize} bytes. Cheap: no payload is read.
     */
    static HeaderCheck checkRecordHeader(byte[] a, int i, long offset, long fileSize) {
        if (fileSize - offset < RECORD_HEADER_BYTES) return HeaderCheck.CUT_SHORT;
        if (getInt(a, i + RECORD_HEADER_CRC_OFFSET) != crc(a, i, RECORD_HEADER_CRC_OFFSET)) return HeaderCheck.CHECKSUM_MISMATCH;
        if ((a[i] & 0xFF) != FORMAT_VERSION) return HeaderCheck.UNKNOWN_VERSION;
        long length = recordLength(a, i);
        if (length > MAX_PAYLOAD_BYTES || offset + RECORD_HEADER_BYTES + length > fileSize) return HeaderCheck.PAST_END_OF_FILE;
        return HeaderCheck.VALID;
    }

    static int recordVersion(byte[] a, int i) { return a[i] & 0xFF; }

    static int recordType(byte[] a, int i) { return a[i + 1] & 0xFF; }

    static long recordLength(byte[] a, int i) { return getInt(a, i + 2) & 0xFFFF_FFFFL; }

    static long recordTimestamp(byte[] a, int i) { return getLong(a, i + 6); }

    static int payloadCrc(byte[] a, int i) { return getInt(a, i + PAYLOAD_CRC_OFFSET); }

    // ---- checksums and big-endian access ----

    static int crc(byte[] a, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(a, from, length);
        return (int) crc.getValue();
    }

    private static int crc(ByteBuffer buffer, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().limit(from + length).position(from));
        return (int) crc.getValue();
    }

    static int getShort(byte[] a, int i) {
        return ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
    }

    static int getInt(byte[] a, int i) {
        return ((a[i] & 0xFF) << 24) | ((a[i + 1] & 0xFF) << 16) | ((a[i + 2] & 0xFF) << 8) | (a[i + 3] & 0xFF);
    }

    static long getLong(byte[] a, int i) {
        return ((long) getInt(a, i) << 32) | (getInt(a, i + 4) & 0xFFFF_FFFFL);
    }
}
