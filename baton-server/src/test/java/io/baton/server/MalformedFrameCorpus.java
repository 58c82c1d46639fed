package io.baton.server;

import io.baton.protocol.ErrorCode;
import io.baton.protocol.Frames;
import io.baton.protocol.Verb;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deterministic corpus of inputs that break docs/protocol.md, each with the answer the document
 * requires: framing (zero, short, huge and "negative" lengths, a length or header that never
 * completes), every verb before HELLO, every unknown verb, and for every field of every client verb:
 * truncation, leftover bytes, invalid UTF-8, null where not allowed, lengths and counts that run
 * past the frame, enums and numbers out of range.
 */
final class MalformedFrameCorpus {
    /**
     * One input.
     *
     * @param afterHello whether it is sent after a successful HELLO
     * @param code       the ERROR it must get, or null if it is incomplete: then no answer, and the
     *                   connection stays open until the peer goes
     * @param stream     the stream that ERROR must carry
     * @param okBefore   answers to valid frames the input starts with
     */
    record Case(String name, boolean afterHello, byte[] bytes, ErrorCode code, int stream, int okBefore) {
        boolean incomplete() {
            return code == null;
        }

        @Override
        public String toString() {
            return name + (afterHello ? " (after HELLO)" : " (before HELLO)") + ": " + ServerFrame.hex(bytes);
        }
    }

    /** The verbs a client may send. */
    static final Set<Integer> CLIENT_VERBS = Set.of(Verb.HELLO, Verb.PING, Verb.BYE, Verb.QUEUE, Verb.SEND, Verb.FETCH, Verb.ACK,
            Verb.NACK, Verb.RELEASE, Verb.EXTEND, Verb.STATS, Verb.PUBLISH, Verb.PUBLISH_ASYNC, Verb.SUBSCRIBE, Verb.UNSUBSCRIBE, Verb.DURABLE,
            Verb.SERVE, Verb.UNSERVE, Verb.CALL, Verb.REPLY, Verb.CANCEL_REQUEST);

    /** Byte sequences that are not strictly valid UTF-8 (docs/protocol.md, {@code str}). */
    static final List<byte[]> BAD_UTF8 = List.of(
            bytes(0xC0, 0x80),                    // overlong NUL
            bytes(0xC1, 0xBF),                    // overlong 2-byte
            bytes(0xE0, 0x80, 0xAF),              // overlong 3-byte '/'
            bytes(0xF0, 0x80, 0x80, 0xAF),        // overlong 4-byte '/'
            bytes(0xED, 0xA0, 0x80),              // lone high surrogate
            bytes(0xED, 0xBF, 0xBF),              // lone low surrogate
            bytes(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80), // a surrogate pair, CESU-8 style
            bytes(0x61, 0xC3),                    // 2-byte sequence cut at the end
            bytes(0xE2, 0x82),                    // 3-byte sequence cut
            bytes(0xF0, 0x9F, 0x98),              // 4-byte sequence cut
            bytes(0x66, 0x2E, 0xE2, 0x82, 0x78),  // cut sequence followed by ASCII
            bytes(0x80),                          // lone continuation byte
            bytes(0x61, 0xBF, 0x62),              // continuation byte between letters
            bytes(0xFE),
            bytes(0xFF, 0xFF),
            bytes(0xF8, 0x88, 0x80, 0x80, 0x80),  // 5-byte form
            bytes(0xF4, 0x90, 0x80, 0x80));       // above U+10FFFF

    private final int maxPayload;
    private final int maxFrame;
    private final List<Case> cases = new ArrayList<>();

    private MalformedFrameCorpus(int maxPayload) {
        this.maxPayload = maxPayload;
        this.maxFrame = Frames.maxFrameBytes(maxPayload);
    }

    /** The corpus for a server whose payload limit is {@code maxPayload}. */
    static List<Case> generate(int maxPayload) {
        MalformedFrameCorpus c = new MalformedFrameCorpus(maxPayload);
        c.framing(false);
        c.framing(true);
        c.beforeHello();
        c.unknownVerbs();
        c.handshake();
        c.stateful();
        for (ClientFrames.Template t : ClientFrames.everyVerb("corpus")) c.fields(t);
        return List.copyOf(c.cases);
    }

    private void malformed(String name, boolean afterHello, byte[] bytes) {
        cases.add(new Case(name, afterHello, bytes, ErrorCode.MALFORMED, 0, 0));
    }

    private void framing(boolean afterHello) {
        for (int length = 0; length < Frames.MIN_FRAME; length++) {
            byte[] frame = Arrays.copyOf(Wire.frame(length, Verb.PING, 0x01020304, new byte[0]), 4 + length);
            malformed("a length of " + length + ", shorter than verb and stream", afterHello, frame);
        }
        long[] tooLarge = {maxFrame + 1L, maxFrame + 4096L, 0x00FF_FFFFL, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFBL, 0xFFFF_FFFFL};
        for (long length : tooLarge) {
            byte[] header = Wire.frame(length, Verb.SEND, 9, new byte[0]);
            String what = "a length of " + length + (length > Integer.MAX_VALUE ? " (negative as i32)" : "");
            cases.add(new Case(what + " alone", afterHello, Arrays.copyOf(header, 4), ErrorCode.FRAME_TOO_LARGE, 0, 0));
            cases.add(new Case(what + " with verb and stream", afterHello, header, ErrorCode.FRAME_TOO_LARGE, 0, 0));
        }
        byte[] ping = ClientFrames.ping(5).frame();
        for (int cut = 1; cut < ping.length; cut++) {
            incomplete("a PING cut after " + cut + " bytes", afterHello, Arrays.copyOf(ping, cut));
        }
        byte[] send = ClientFrames.send(6, "fuzz.q.cut", "a payload that will not all arrive").frame();
        incomplete("a SEND cut in half", afterHello, Arrays.copyOf(send, send.length / 2));
        incomplete("a SEND missing its last byte", afterHello, Arrays.copyOf(send, send.length - 1));
        incomplete("the largest frame allowed, 100 bytes of it", afterHello, Arrays.copyOf(Wire.frame(maxFrame, Verb.SEND, 7, new byte[0]), 100));
        incomplete("a 1,000-byte frame, 9 bytes of it", afterHello, Wire.frame(1000, Verb.PING, 8, new byte[0]));
    }

    private void incomplete(String name, boolean afterHello, byte[] bytes) {
        cases.add(new Case(name, afterHello, bytes, null, 0, 0));
    }

    private void beforeHello() {
        for (int verb = 0; verb < 256; verb++) {
            if (verb == Verb.HELLO) continue;
            int stream = 0x100 + verb;
            cases.add(new Case(Verb.name(verb) + " before HELLO", false, Wire.frame(verb, stream, new byte[0]), ErrorCode.NOT_AUTHENTICATED, stream, 0));
        }
        for (ClientFrames.Template t : ClientFrames.everyVerb("early")) {
            if (t.verb() == Verb.HELLO) continue;
            cases.add(new Case("a valid " + t.name() + " before HELLO", false, t.frame(), ErrorCode.NOT_AUTHENTICATED, t.stream(), 0));
        }
    }

    private void unknownVerbs() {
        for (int verb = 0; verb < 256; verb++) {
            if (CLIENT_VERBS.contains(verb)) continue;
            cases.add(new Case("unknown verb " + Verb.name(verb), true, Wire.frame(verb, 0x200 + verb, new byte[0]), ErrorCode.UNKNOWN_VERB, 0, 0));
            if (ServerFrame.SERVER_VERBS.contains(verb)) {
                cases.add(new Case("server verb " + Verb.name(verb) + " from a client", true,
                        Wire.frame(verb, 0x300 + verb, bytes(0, 0, 0, 0, 0, 0, 0, 1, 0, 0)), ErrorCode.UNKNOWN_VERB, 0, 0));
            }
        }
    }

    private void handshake() {
        for (int version : new int[] {0, 2, 0x7FFF, 0xFFFF}) {
            byte[] fields = ClientFrames.hello(1).fields().bytes();
            fields[0] = (byte) (version >>> 8);
            fields[1] = (byte) version;
            cases.add(new Case("HELLO for protocol version " + version, false, Wire.frame(Verb.HELLO, 41, fields),
                    ErrorCode.UNSUPPORTED_VERSION, 41, 0));
        }
        malformed("HELLO twice", true, ClientFrames.hello(2).frame());
    }

    private void stateful() {
        byte[] subscribe = ClientFrames.subscribe(50, "fuzz.twice.>").frame();
        cases.add(new Case("SUBSCRIBE twice on one stream", true, Wire.concat(subscribe, subscribe), ErrorCode.MALFORMED, 0, 1));
        byte[] serve = ClientFrames.serve(51, "fuzz.twice.svc").frame();
        cases.add(new Case("SERVE twice on one stream", true, Wire.concat(serve, serve), ErrorCode.MALFORMED, 0, 1));
    }

    private void fields(ClientFrames.Template t) {
        boolean afterHello = t.verb() != Verb.HELLO;
        byte[] fields = t.fields().bytes();
        String verb = t.name();
        for (int cut = 0; cut < fields.length; cut++) {
            malformed(verb + " cut to " + cut + " of its " + fields.length + " field bytes", afterHello, t.frameWith(Arrays.copyOf(fields, cut)));
        }
        malformed(verb + " with a byte left over", afterHello, t.frameWith(Wire.concat(fields, new byte[1])));
        malformed(verb + " with 8 bytes left over", afterHello, t.frameWith(Wire.concat(fields, bytes(1, 2, 3, 4, 5, 6, 7, 8))));
        Map<String, Integer> seen = new HashMap<>();
        for (Wire.Field f : t.fields().fields()) {
            int nth = seen.merge(f.name(), 1, Integer::sum);
            String v = t.name() + (nth > 1 ? " (" + nth + ")" : "");
            int end = f.offset() + f.length();
            int afterLength = fields.length - f.offset(); // bytes from this field to the end of the frame
            switch (f.kind()) {
                case STR, NULLABLE_STR -> {
                    for (byte[] bad : BAD_UTF8) {
                        byte[] str = Wire.concat(bytes(bad.length >>> 8, bad.length), bad);
                        malformed(v + " " + f.name() + " of invalid UTF-8 " + HexFormat.of().formatHex(bad), afterHello,
                                t.frameWith(splice(fields, f.offset(), end, str)));
                    }
                    if (f.kind() == Wire.Kind.STR) {
                        malformed(v + " " + f.name() + " null", afterHello, t.frameWith(splice(fields, f.offset(), end, bytes(0xFF, 0xFF))));
                    }
                    for (int n : new int[] {afterLength - 1, 0xFFFE}) { // past the frame: afterLength - 2 bytes follow the length
                        malformed(v + " " + f.name() + " of " + n + " bytes, past the frame", afterHello, t.frameWith(setLength(fields, f, 2, n)));
                    }
                }
                case BYTES -> {
                    for (long n : new long[] {afterLength - 3, maxPayload, maxPayload + 1L, 0x7FFF_FFFFL, 0xFFFF_FFFFL}) {
                        malformed(v + " " + f.name() + " of " + n + " bytes, past the frame", afterHello, t.frameWith(setLength(fields, f, 4, n)));
                    }
                }
                case HEADER_COUNT -> {
                    for (long n : new long[] {(afterLength - 2) / 4 + 1, 0xFFFF}) {
                        malformed(v + " with " + n + " headers, past the frame", afterHello, t.frameWith(setLength(fields, f, 2, n)));
                    }
                }
                case TOKEN_COUNT -> {
                    for (long n : new long[] {(afterLength - 2) / 8 + 1, 0xFFFF}) {
                        malformed(v + " with " + n + " tokens, past the frame", afterHello, t.frameWith(setLength(fields, f, 2, n)));
                    }
                }
                case ENUM -> {
                    for (int bad : ILLEGAL.get(f.name())) {
                        malformed(v + " " + f.name() + " " + bad, afterHello, t.frameWith(splice(fields, f.offset(), end, bytes(bad))));
                    }
                }
                case U16, U32, I64 -> {
                    for (long bad : OUT_OF_RANGE.getOrDefault(f.name(), new long[0])) {
                        malformed(v + " " + f.name() + " " + bad, afterHello, t.frameWith(setLength(fields, f, f.length(), bad)));
                    }
                }
            }
        }
        if (t.verb() == Verb.DURABLE) {
            for (long sequence : new long[] {0, -1, Long.MIN_VALUE}) {
                byte[] seq = setLength(fields, t.field("sequence"), 8, sequence);
                Wire.Field start = t.field("start");
                malformed("DURABLE from SEQUENCE " + sequence, true, t.frameWith(splice(seq, start.offset(), start.offset() + 1, bytes(2))));
            }
        }
    }

    /**
     * Malformed frames of the verbs that name a source (FETCH, ACK, NACK, RELEASE, EXTEND) whose
     * source is a durable subscription this connection has not opened, or a queue whose name is
     * invalid: cut after the name, or with a byte left over. Not in {@link #generate}: the server
     * looks the source up before it reads the rest of the frame (a defect; see the test that uses
     * these).
     */
    static List<Case> sourceLookedUpBeforeTheFrameIsRead() {
        MalformedFrameCorpus c = new MalformedFrameCorpus(1 << 20);
        List<ClientFrames.Template> verbs = ClientFrames.everyVerb("src").stream()
                .filter(t -> !t.fields().fields().isEmpty() && t.fields().fields().get(0).name().equals("source")).toList();
        for (ClientFrames.Template t : verbs) {
            byte[] fields = t.fields().bytes();
            Wire.Field name = t.field("source name");
            byte[] rest = Arrays.copyOfRange(fields, name.offset() + name.length(), fields.length);
            for (byte[] source : List.of(new Wire().u8("source", Wire.Kind.ENUM, Verb.SOURCE_DURABLE).str("source name", "no.such.durable").bytes(),
                    new Wire().u8("source", Wire.Kind.ENUM, Verb.SOURCE_QUEUE).str("source name", "bad name!").bytes())) {
                String what = t.name() + (source[0] == Verb.SOURCE_DURABLE ? " of an unknown durable" : " of an invalid queue name");
                c.malformed(what + " cut after the name", true, t.frameWith(source));
                c.malformed(what + " with a byte left over", true, t.frameWith(Wire.concat(source, rest, new byte[1])));
            }
        }
        return List.copyOf(c.cases);
    }

    /** Values out of range for each enum field. */
    private static final Map<String, int[]> ILLEGAL = Map.of(
            "overflow", new int[] {3, 4, 0x7F, 0x80, 0xFF},
            "source", new int[] {2, 3, 0x7F, 0x80, 0xFF},
            "start", new int[] {4, 5, 0x80, 0xFF},
            "auth", new int[] {3, 4, 0x80, 0xFF});

    /** Values out of range for each bounded number. */
    private static final Map<String, long[]> OUT_OF_RANGE = Map.of(
            "max", new long[] {0, Verb.MAX_FETCH + 1, 0xFFFF},
            "waitMillis", new long[] {0x8000_0000L, 0xFFFF_FFFFL},
            "leaseMillis", new long[] {0, 0x8000_0000L, 0xFFFF_FFFFL},
            "timeoutMillis", new long[] {0, 0x8000_0000L, 0xFFFF_FFFFL},
            "maxLength", new long[] {0, -1, Long.MIN_VALUE},
            "maxBytes", new long[] {0, -1, Long.MIN_VALUE});

    /** {@code fields} with the first {@code width} bytes of field {@code f} set to {@code value}, big-endian. */
    private static byte[] setLength(byte[] fields, Wire.Field f, int width, long value) {
        byte[] b = fields.clone();
        for (int i = 0; i < width; i++) b[f.offset() + i] = (byte) (value >>> (8 * (width - 1 - i)));
        return b;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] with) {
        return Wire.concat(Arrays.copyOfRange(b, 0, from), with, Arrays.copyOfRange(b, to, b.length));
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }
}
