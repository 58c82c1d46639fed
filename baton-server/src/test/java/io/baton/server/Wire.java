package io.baton.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fields of one client frame, written by hand as docs/protocol.md lays them out (independently
 * of {@code FrameWriter}), remembering where each field lies so a test can cut or corrupt exactly
 * one of them. {@link #frame} puts the length, verb and stream in front.
 */
final class Wire {
    /** What a field is, so a corpus knows which corruptions apply to it. */
    enum Kind {
        /** A {@code u8} with a few legal values (overflow, source, start, auth). */
        ENUM,
        U16, U32, I64,
        /** A non-null {@code str}. */
        STR,
        /** A {@code str} that may be null. */
        NULLABLE_STR,
        /** A {@code u32} length and that many bytes. */
        BYTES,
        /** A {@code u16} count of headers (each at least 4 bytes). */
        HEADER_COUNT,
        /** A {@code u16} count of {@code i64} tokens. */
        TOKEN_COUNT
    }

    /** One field: its name, kind and where its bytes lie within the fields. */
    record Field(String name, Kind kind, int offset, int length) {}

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Field> fields = new ArrayList<>();

    private Wire mark(String name, Kind kind, int start) {
        fields.add(new Field(name, kind, start, out.size() - start));
        return this;
    }

    private void raw(long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) out.write((int) (value >>> (8 * i)));
    }

    Wire u8(String name, Kind kind, int value) {
        int start = out.size();
        raw(value, 1);
        return mark(name, kind, start);
    }

    Wire u16(String name, int value) {
        int start = out.size();
        raw(value, 2);
        return mark(name, Kind.U16, start);
    }

    Wire u32(String name, long value) {
        int start = out.size();
        raw(value, 4);
        return mark(name, Kind.U32, start);
    }

    Wire i64(String name, long value) {
        int start = out.size();
        raw(value, 8);
        return mark(name, Kind.I64, start);
    }

    Wire str(String name, String value) {
        return str(name, Kind.STR, value);
    }

    Wire nullableStr(String name, String value) {
        return str(name, Kind.NULLABLE_STR, value);
    }

    private Wire str(String name, Kind kind, String value) {
        int start = out.size();
        if (value == null) {
            raw(0xFFFF, 2);
        } else {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            raw(utf8.length, 2);
            out.writeBytes(utf8);
        }
        return mark(name, kind, start);
    }

    Wire bytes(String name, byte[] value) {
        int start = out.size();
        raw(value.length, 4);
        out.writeBytes(value);
        return mark(name, Kind.BYTES, start);
    }

    Wire headers(Map<String, String> headers) {
        int start = out.size();
        raw(headers.size(), 2);
        mark("header count", Kind.HEADER_COUNT, start);
        headers.forEach((name, value) -> str("header name", name).str("header value", value));
        return this;
    }

    Wire tokens(long... tokens) {
        int start = out.size();
        raw(tokens.length, 2);
        mark("token count", Kind.TOKEN_COUNT, start);
        for (long t : tokens) i64("token", t);
        return this;
    }

    /** An envelope: subject, id, key, headers, timestamp, payload. */
    Wire envelope(String subject, String id, String key, Map<String, String> headers, long timestamp, byte[] payload) {
        return str("subject", subject).nullableStr("id", id).nullableStr("key", key).headers(headers)
                .i64("timestamp", timestamp).bytes("payload", payload);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    List<Field> fields() {
        return List.copyOf(fields);
    }

    /** A whole frame: {@code u32} length, verb, stream, then {@code fields}. */
    static byte[] frame(int verb, int stream, byte[] fields) {
        return frame(5 + fields.length, verb, stream, fields);
    }

    /** A frame whose length field says {@code length}, whatever the bytes that follow. */
    static byte[] frame(long length, int verb, int stream, byte[] fields) {
        byte[] f = new byte[9 + fields.length];
        putInt(f, 0, (int) length);
        f[4] = (byte) verb;
        putInt(f, 5, stream);
        System.arraycopy(fields, 0, f, 9, fields.length);
        return f;
    }

    static void putInt(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) all.writeBytes(p);
        return all.toByteArray();
    }
}
