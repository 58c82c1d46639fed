package io.baton;

import io.baton.internal.JsonCodec;

/**
 * Turns bodies into bytes and back. The default is JSON through Jackson (records included);
 * {@code byte[]} and {@code String} (as UTF-8) pass through untouched. Implementations must be
 * thread-safe.
 */
public interface Codec {

    /**
     * @throws CodecException if the value cannot be encoded
     */
    byte[] encode(Object value);

    /**
     * @throws CodecException if the bytes are not a valid {@code type}
     */
    <T> T decode(byte[] bytes, Class<T> type);

    /**
     * Decodes into a generic type ({@code List<Order>}); used for the parameters and results of
     * interface-typed RPC. The default handles plain classes only.
     *
     * @throws CodecException if the bytes are not a valid {@code type}
     */
    default Object decode(byte[] bytes, java.lang.reflect.Type type) {
        if (type instanceof Class<?> c) return decode(bytes, c);
        throw new CodecException("this codec cannot decode the generic type " + type.getTypeName(), null);
    }

    /** JSON via Jackson, with {@code byte[]} and {@code String} passed through. */
    static Codec json() { return JsonCodec.INSTANCE; }
}
