package io.baton.protocol;

import io.baton.ProtocolException;
import io.baton.spi.Envelope;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the fields of one frame (after its length), checking each length and count against the
 * bytes the frame still holds before allocating anything for it. Every failure is a
 * {@link ProtocolException} that says what was wrong and where.
 */
public final class FrameReader {
    private static final int NULL = 0xFFFF;

    /**
     * The frame's fields, read through a view of the frame's memory: no copy, and none of the
     * reference-count checks a {@link ByteBuf} makes on every read. Valid only while the frame is;
     * a reader is used and dropped before its frame is released.
     */
    private final ByteBuffer buf;

    /** Reads the fields in {@code fields} from its position to its limit (a frame read without Netty). */
    public FrameReader(ByteBuffer fields) {
        this.buf = fields.slice().order(java.nio.ByteOrder.BIG_ENDIAN);
    }

    /** Reads {@code frame}'s readable bytes (its fields), which it consumes. */
    public FrameReader(ByteBuf frame) {
        this.buf = frame.nioBuffer(frame.readerIndex(), frame.readableBytes()).order(java.nio.ByteOrder.BIG_ENDIAN);
        frame.skipBytes(frame.readableBytes());
    }

    private void need(int bytes, String what) {
        if (buf.remaining() < bytes) {
            throw malformed(what + " needs " + bytes + " bytes, the frame has " + buf.remaining() + " left");
        }
    }

    /** Where the next field starts, in bytes from the first field. */
    public int position() {
        return buf.position();
    }

    /**
     * The bytes of the fields read between {@code from} and {@code to} (two {@link #position()}s),
     * as they came: valid only while the frame is.
     */
    public ByteBuffer encoded(int from, int to) {
        return buf.slice(from, to - from).asReadOnlyBuffer();
    }

    /** A protocol error at the current offset within the frame. */
    public ProtocolException malformed(String why) {
        return new ProtocolException("malformed frame at byte " + buf.position() + ": " + why);
    }

    public int u8(String what) {
        need(1, what);
        return Byte.toUnsignedInt(buf.get());
    }

    public int u16(String what) {
        need(2, what);
        return Short.toUnsignedInt(buf.getShort());
    }

    public long u32(String what) {
        need(4, what);
        return Integer.toUnsignedLong(buf.getInt());
    }

    /** A {@code u32} that must lie in {@code [min, max]}. */
    public int u32(String what, int min, int max) {
        long value = u32(what);
        if (value < min || value > max) throw malformed(what + " must be " + min + ".." + max + ", not " + value);
        return (int) value;
    }

    public long i64(String what) {
        need(8, what);
        return buf.getLong();
    }

    /** A non-null {@code str}. */
    public String str(String what) {
        String s = nullableStr(what);
        if (s == null) throw malformed(what + " must not be null");
        return s;
    }

    public String nullableStr(String what) {
        int length = u16(what + " length");
        if (length == NULL) return null;
        need(length, what);
        byte[] bytes = new byte[length];
        buf.get(bytes);
        for (byte b : bytes) {
            if (b < 0) return strictUtf8(bytes, what);
        }
        return new String(bytes, StandardCharsets.ISO_8859_1); // all ASCII
    }

    private String strictUtf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw malformed(what + " is not valid UTF-8");
        }
    }

    /**
     * A {@code bytes} field of at most {@code max} bytes. A length that runs past the frame is
     * malformed whatever its size (the peer does not follow the protocol); one the frame holds
     * but over {@code max} is a {@link PayloadTooLargeFrameException} (the frame was well formed).
     */
    public byte[] bytes(String what, int max) {
        long length = u32(what + " length");
        if (length > buf.remaining()) {
            throw malformed(what + " of " + length + " bytes runs past the frame, which has " + buf.remaining() + " left");
        }
        if (length > max) throw new PayloadTooLargeFrameException(what + " of " + length + " bytes is over the limit of " + max);
        byte[] bytes = new byte[(int) length];
        buf.get(bytes);
        return bytes;
    }

    public Map<String, String> headers() {
        int count = u16("header count");
        if (count == 0) return Map.of();
        need(count * 4, count + " headers"); // each at least two empty strings
        Map<String, String> headers = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) headers.put(str("header name"), str("header value"));
        return Map.copyOf(headers);
    }

    public Envelope envelope(int maxPayload) {
        String subject = str("subject");
        String id = nullableStr("id");
        String key = nullableStr("key");
        Map<String, String> headers = headers();
        long timestamp = i64("timestamp");
        byte[] payload = bytes("payload", maxPayload);
        return new Envelope(subject, id, key, headers, payload, timestamp);
    }

    /** A {@code u16} count of {@code i64} tokens. */
    public long[] tokens() {
        int count = u16("token count");
        need(count * 8, count + " tokens");
        long[] tokens = new long[count];
        for (int i = 0; i < count; i++) tokens[i] = buf.getLong();
        return tokens;
    }

    /** Checks that the fields filled the frame exactly. */
    public void end() {
        if (buf.hasRemaining()) throw malformed(buf.remaining() + " bytes left over after the last field");
    }

    /** A payload over the receiver's limit: answered with PAYLOAD_TOO_LARGE rather than MALFORMED. */
    public static final class PayloadTooLargeFrameException extends io.baton.PayloadTooLargeException {
        private static final long serialVersionUID = 1L;

        PayloadTooLargeFrameException(String message) {
            super(message);
        }
    }
}
