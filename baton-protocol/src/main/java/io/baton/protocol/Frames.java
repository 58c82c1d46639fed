package io.baton.protocol;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/** Framing: a {@code u32} length, then that many bytes (docs/protocol.md, "Frames"). */
public final class Frames {
    /** Bytes a frame may take beyond its payload: verb, stream, names, headers. */
    public static final int OVERHEAD_ALLOWANCE = 64 * 1024;
    /** The smallest frame: verb and stream. */
    public static final int MIN_FRAME = 5;

    private Frames() {}

    /** The largest frame that can carry a payload of {@code maxPayload} bytes. */
    public static int maxFrameBytes(int maxPayload) {
        return maxPayload + OVERHEAD_ALLOWANCE;
    }

    /**
     * Splits a byte stream into frames of at most {@code maxFrameBytes}, without the length
     * field. A longer frame fails at once ({@link io.netty.handler.codec.TooLongFrameException}),
     * before its bytes are read.
     */
    public static LengthFieldBasedFrameDecoder decoder(int maxFrameBytes) {
        return new LengthFieldBasedFrameDecoder(maxFrameBytes + 4, 0, 4, 0, 4, true);
    }
}
