package io.baton.server;

import io.baton.protocol.ErrorCode;
import io.baton.protocol.Verb;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * One frame the server sent, read by hand (not with {@code FrameReader}, so a reader defect cannot
 * hide a writer defect): verb, stream and the bytes of its fields.
 */
record ServerFrame(int verb, int stream, byte[] fields) {
    /** The verbs a server may send (docs/protocol.md). */
    static final Set<Integer> SERVER_VERBS = Set.of(Verb.OK, Verb.WELCOME, Verb.ERROR, Verb.MESSAGE,
            Verb.SUBSCRIPTION_CLOSED, Verb.REQUEST, Verb.CANCEL);

    /**
     * Cuts one buffer the server wrote into its frames, lengths included. The server writes whole
     * frames, several to a buffer.
     *
     * @throws AssertionError if the buffer is empty or ends inside a frame
     */
    static java.util.List<byte[]> split(byte[] buffer) {
        if (buffer.length == 0) throw new AssertionError("the server wrote an empty buffer");
        java.util.List<byte[]> frames = new java.util.ArrayList<>();
        int at = 0;
        while (at < buffer.length) {
            if (buffer.length - at < 4) throw new AssertionError("a server buffer ends in " + (buffer.length - at) + " bytes of a frame length");
            long length = Wire.getInt(buffer, at) & 0xFFFFFFFFL;
            if (length > buffer.length - at - 4) throw new AssertionError("a server frame whose length says " + length + " but has " + (buffer.length - at - 4));
            frames.add(Arrays.copyOfRange(buffer, at, at + 4 + (int) length));
            at += 4 + (int) length;
        }
        return frames;
    }

    /**
     * Reads one whole frame, length included, and checks what every frame must be: a length that
     * matches, a server verb, and for an ERROR a known code and a valid message filling the frame.
     *
     * @throws AssertionError if it is not such a frame
     */
    static ServerFrame parse(byte[] frame) {
        if (frame.length < 9) throw new AssertionError("a server frame of " + frame.length + " bytes: " + hex(frame));
        int length = Wire.getInt(frame, 0);
        if (length != frame.length - 4) throw new AssertionError("a server frame whose length says " + length + " but has " + (frame.length - 4));
        ServerFrame f = new ServerFrame(frame[4] & 0xFF, Wire.getInt(frame, 5), Arrays.copyOfRange(frame, 9, frame.length));
        if (!SERVER_VERBS.contains(f.verb)) throw new AssertionError("the server sent verb " + Verb.name(f.verb) + ": " + hex(frame));
        if (f.verb == Verb.ERROR) {
            if (f.fields.length < 4) throw new AssertionError("an ERROR without code and message: " + hex(frame));
            int code = f.errorCode();
            if (ErrorCode.of(code).code() != code) throw new AssertionError("an ERROR with the unknown code " + code);
            int n = ((f.fields[2] & 0xFF) << 8) | (f.fields[3] & 0xFF);
            if (n == 0xFFFF || 4 + n != f.fields.length) throw new AssertionError("an ERROR whose message does not fill it: " + hex(frame));
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(f.fields, 4, n));
            } catch (CharacterCodingException e) {
                throw new AssertionError("an ERROR whose message is not UTF-8: " + hex(frame), e);
            }
        }
        return f;
    }

    int errorCode() {
        return verb == Verb.ERROR ? ((fields[0] & 0xFF) << 8) | (fields[1] & 0xFF) : -1;
    }

    String errorMessage() {
        return verb == Verb.ERROR ? new String(fields, 4, fields.length - 4, StandardCharsets.UTF_8) : "";
    }

    boolean isError(ErrorCode code) {
        return errorCode() == code.code();
    }

    /** Whether the server closes the connection after this frame (docs/protocol.md, "Answers"). */
    boolean closesConnection() {
        return verb == Verb.ERROR && (stream == 0 || ErrorCode.of(errorCode()).closesConnection());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerFrame f && f.verb == verb && f.stream == stream && Arrays.equals(f.fields, fields);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * verb + stream) + Arrays.hashCode(fields);
    }

    @Override
    public String toString() {
        if (verb == Verb.ERROR) return "ERROR(stream " + stream + ", " + ErrorCode.of(errorCode()) + ": " + errorMessage() + ")";
        return Verb.name(verb) + "(stream " + stream + ", " + hex(fields) + ")";
    }

    static String hex(byte[] bytes) {
        String h = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 96));
        return bytes.length > 96 ? h + "...(" + bytes.length + " bytes)" : h;
    }
}
