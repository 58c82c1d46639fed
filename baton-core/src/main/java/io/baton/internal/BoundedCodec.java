package io.baton.internal;

import io.baton.Codec;
import io.baton.PayloadTooLargeException;
import java.lang.reflect.Type;

/** The connection's codec with its payload limit: every body Baton encodes passes through here. */
final class BoundedCodec implements Codec {
    private final Codec codec;
    private final int maxPayloadBytes;

    BoundedCodec(Codec codec, int maxPayloadBytes) {
        this.codec = codec;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public byte[] encode(Object value) {
        byte[] bytes = codec.encode(value);
        if (bytes.length > maxPayloadBytes) {
            throw new PayloadTooLargeException("a " + value.getClass().getSimpleName() + " body encoded to " + bytes.length
                    + " bytes; the limit is " + maxPayloadBytes + " (ConnectOptions.maxPayloadBytes)");
        }
        return bytes;
    }

    @Override
    public <T> T decode(byte[] bytes, Class<T> type) {
        return codec.decode(bytes, type);
    }

    @Override
    public Object decode(byte[] bytes, Type type) {
        return codec.decode(bytes, type);
    }
}
