package io.baton.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.baton.Codec;
import io.baton.CodecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The default {@link Codec}: JSON through one shared Jackson {@link ObjectMapper} (records
 * included); {@code byte[]} passes through untouched and {@code String} as UTF-8.
 */
public final class JsonCodec implements Codec {
    public static final JsonCodec INSTANCE = new JsonCodec(new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));

    private final ObjectMapper mapper;

    public JsonCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public byte[] encode(Object value) {
        if (value instanceof byte[] bytes) return bytes;
        if (value instanceof String s) return s.getBytes(StandardCharsets.UTF_8);
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException | RuntimeException e) {
            throw new CodecException("cannot encode " + (value == null ? "null" : value.getClass().getName()) + " as JSON: " + rootMessage(e), e);
        }
    }

    @Override
    public <T> T decode(byte[] bytes, Class<T> type) {
        if (type == byte[].class) return type.cast(bytes);
        if (type == String.class) return type.cast(new String(bytes, StandardCharsets.UTF_8));
        try {
            T value = mapper.readValue(bytes, type);
            if (value == null && type.isPrimitive()) throw new CodecException("cannot decode null as " + type.getName(), null);
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CodecException c) throw c;
            throw new CodecException("cannot decode " + bytes.length + " bytes as " + type.getName() + ": " + rootMessage(e), e);
        }
    }

    @Override
    public Object decode(byte[] bytes, java.lang.reflect.Type type) {
        if (type instanceof Class<?> c) return decode(bytes, c);
        try {
            return mapper.readValue(bytes, mapper.constructType(type));
        } catch (IOException | RuntimeException e) {
            throw new CodecException("cannot decode " + bytes.length + " bytes as " + type.getTypeName() + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        if (m == null) return t.getClass().getSimpleName();
        int newline = m.indexOf('\n');
        return newline < 0 ? m : m.substring(0, newline);
    }
}
