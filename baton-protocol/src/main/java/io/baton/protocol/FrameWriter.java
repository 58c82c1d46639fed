package io.baton.protocol;

import io.baton.spi.Envelope;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes frames (docs/protocol.md) into a buffer: {@link #begin}, the fields, {@link #end}. */
public final class FrameWriter {
    private static final int NULL = 0xFFFF;

    private FrameWriter() {}

    /** Starts a frame with a length to be filled in by {@link #end}; returns where it starts. */
    public static int begin(ByteBuf out, int verb, int stream) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(verb);
        out.writeInt(stream);
        return start;
    }

    /** Finishes the frame begun at {@code start}: fills in its length. */
    public static void end(ByteBuf out, int start) {
        out.setInt(start, out.writerIndex() - start - 4);
    }

    public static void str(ByteBuf out, String s) {
        if (s == null) {
            out.writeShort(NULL);
            return;
        }
        // encoded on the heap and copied once: for the ASCII most names are, the JDK copies the
        // string's own bytes, where writing into the buffer would go a char at a time
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length >= NULL) {
            throw new IllegalArgumentException("a string of " + utf8.length + " UTF-8 bytes is too long for the wire (at most 65,534)");
        }
        out.writeShort(utf8.length);
        out.writeBytes(utf8);
    }

    public static void bytes(ByteBuf out, byte[] bytes) {
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    public static void headers(ByteBuf out, Map<String, String> headers) {
        out.writeShort(headers.size());
        for (Map.Entry<String, String> h : headers.entrySet()) {
            str(out, h.getKey());
            str(out, h.getValue());
        }
    }

    public static void envelope(ByteBuf out, Envelope e) {
        str(out, e.subject());
        str(out, e.id());
        str(out, e.key());
        headers(out, e.headers());
        out.writeLong(e.timestamp());
        bytes(out, e.payload());
    }

    /** Bytes an envelope takes on the wire, about (UTF-8 length estimated at 3 bytes a char): to size buffers. */
    public static int estimate(Envelope e) {
        int size = 6 + 3 * (len(e.subject()) + len(e.id()) + len(e.key())) + 2 + 8 + 4 + e.payload().length;
        for (Map.Entry<String, String> h : e.headers().entrySet()) size += 4 + 3 * (h.getKey().length() + h.getValue().length());
        return size;
    }

    private static int len(String s) {
        return s == null ? 0 : s.length();
    }
}
