package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.protocol.ErrorCode;
import io.baton.protocol.Frames;
import io.baton.protocol.Verb;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random input, by the hundred thousand frames: sessions (one connection each, most logged in)
 * of valid frames, valid frames mutated (bit flips, boundary values in a field, truncation with
 * and without the length fixed, length fields changed, bytes inserted, deleted or appended, the
 * verb changed), frames of random bytes and bare random bytes, delivered in random pieces to the
 * server's own pipeline ({@link EmbeddedConnection}) over a real {@link BatonServer}. Whatever
 * comes, the server
 * <ul>
 *   <li>lets no exception out of its handlers and writes only well-formed frames (a server verb,
 *       a known error code, a valid message), never an INTERNAL error;
 *   <li>sends nothing but errors before its WELCOME, and at most one WELCOME;
 *   <li>closes the connection after every error that says so;
 *   <li>holds at most 4x the bytes it was sent plus 4x the bytes it answered plus 16 KiB, and gives
 *       every buffer back once the connection closes;
 *   <li>goes on serving a TCP connection made before the run, and new ones after it.
 * </ul>
 * {@code -Dbaton.fuzz.frames=N} sets the number of frames (default 100,000);
 * {@code -Dbaton.fuzz.seed=S} replays a run (the seed is printed, and in every failure);
 * {@code -Dbaton.fuzz.session=I} replays one session of it; {@code -Dbaton.fuzz.verbose=true}
 * keeps the server's log, muted otherwise (a WARN for most sessions).
 */
class ServerRandomFrameFuzzTest {
    private static final int FRAMES = Integer.getInteger("baton.fuzz.frames", 100_000);
    private static final long SEED = Long.getLong("baton.fuzz.seed", new Random().nextLong());
    private static final int ONLY_SESSION = Integer.getInteger("baton.fuzz.session", -1);
    private static final int MAX_REPORTED = 20;

    private static BatonServer server;
    private static RawSocket survivor;

    @BeforeAll
    static void start() throws IOException {
        server = BatonServer.start(ServerOptions.builder().port(0).build());
        survivor = new RawSocket(server.port());
        survivor.hello();
    }

    @AfterAll
    static void stop() throws IOException {
        survivor.close();
        server.close();
    }

    @Test
    void randomAndMutatedFrames_neverCrashTheServer_breakTheProtocol_orExceedTheAllocationBound() throws IOException {
        String replay = "seed " + SEED + " (replay: -Dbaton.fuzz.seed=" + SEED + ")";
        System.out.println("ServerRandomFrameFuzzTest: " + (ONLY_SESSION >= 0 ? "session " + ONLY_SESSION : FRAMES + " frames") + ", " + replay);
        Map<String, Long> seen = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        int violating = 0;
        long frames = 0;
        int sessions = 0;
        long started = System.nanoTime();
        PrintStream stderr = System.err;
        if (!Boolean.getBoolean("baton.fuzz.verbose")) System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            for (int i = ONLY_SESSION >= 0 ? ONLY_SESSION : 0; ONLY_SESSION >= 0 ? i == ONLY_SESSION : frames < FRAMES; i++) {
                Session s = Session.generate(new Random(SEED * 0x9E3779B97F4A7C15L + i));
                List<String> wrong = new ArrayList<>();
                frames += run(s, seen, wrong);
                sessions++;
                if (!wrong.isEmpty()) {
                    violating++;
                    if (violations.size() < MAX_REPORTED) {
                        violations.add("session " + i + " (-Dbaton.fuzz.session=" + i + "), " + s + ":\n      " + String.join("\n      ", wrong));
                    }
                }
                if (sessions % 1000 == 0) survivor.ping(sessions);
            }
        } finally {
            System.setErr(stderr);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.println("ServerRandomFrameFuzzTest: " + frames + " frames in " + sessions + " sessions, " + ms + " ms; answers: " + seen);
        assertThat(violations).as("%d of %d sessions broke a rule; %s", violating, sessions, replay).isEmpty();
        if (ONLY_SESSION < 0) assertThat(frames).isGreaterThanOrEqualTo(FRAMES);
        if (ONLY_SESSION < 0 && FRAMES >= 100_000) {
            // a run of the default size reaches every kind of answer (MESSAGE, the rarest, about 15 times), so the rules were put to the test
            assertThat(seen).as("answers seen").containsKeys("OK", "WELCOME", "MESSAGE", "ERROR " + ErrorCode.MALFORMED,
                    "ERROR " + ErrorCode.FRAME_TOO_LARGE, "ERROR " + ErrorCode.UNKNOWN_VERB, "ERROR " + ErrorCode.NOT_AUTHENTICATED,
                    "ERROR " + ErrorCode.INVALID_NAME, "ERROR " + ErrorCode.UNKNOWN);
        }
        survivor.ping(7);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 1);
        try (RawSocket late = new RawSocket(server.port())) {
            late.hello();
            late.ping(8);
        }
    }

    /** Runs one session; adds what it broke to {@code wrong}; returns the frames the server got (the start of each, at least). */
    private static int run(Session s, Map<String, Long> seen, List<String> wrong) {
        EmbeddedConnection conn = new EmbeddedConnection(server);
        int delivered = 0;
        try {
            if (s.loggedIn) conn.hello();
            int from = 0;
            boolean open = true;
            for (int cut : s.cuts) {
                if (!conn.feed(s.bytes, from, cut)) {
                    open = false;
                    break;
                }
                delivered = from = cut;
                if (cut == s.helloEnds) { // the HELLO in the input: let its login settle
                    conn.awaitUntil("an answer to the HELLO", Duration.ofSeconds(5), () -> conn.answerCount() > 0 || !conn.isOpen());
                }
            }
            if (open && conn.feed(s.bytes, from, s.bytes.length)) delivered = s.bytes.length;
            List<ServerFrame> answers = conn.answers();
            if (answers.stream().anyMatch(ServerFrame::closesConnection)) {
                conn.awaitUntil("the connection closed after an error that closes it", Duration.ofSeconds(5), () -> !conn.isOpen());
            }
        } catch (RuntimeException | AssertionError e) {
            wrong.add("failed while feeding: " + e);
        } finally {
            try {
                conn.close();
            } catch (RuntimeException e) {
                wrong.add("an exception got past the server's handlers: " + e);
            }
        }
        try {
            conn.awaitUntil("every buffer released", Duration.ofSeconds(5), () -> conn.allocator().liveBuffers() == 0);
        } catch (RuntimeException e) {
            wrong.add(conn.allocator().liveBuffers() + " buffers (" + conn.allocator().liveBytes() + " bytes) still held after the connection closed");
        }
        check(conn, seen, wrong);
        if (server.connectionCount() != 1) wrong.add(server.connectionCount() + " connections admitted after the session closed, not 1");
        int frames = 0;
        for (int start : s.starts) if (start < delivered) frames++;
        return frames;
    }

    private static void check(EmbeddedConnection conn, Map<String, Long> seen, List<String> wrong) {
        wrong.addAll(conn.problems());
        List<ServerFrame> answers = conn.answers();
        boolean welcomed = false;
        for (ServerFrame f : answers) {
            seen.merge(f.verb() == Verb.ERROR ? "ERROR " + ErrorCode.of(f.errorCode()) : Verb.name(f.verb()), 1L, Long::sum);
            if (f.isError(ErrorCode.INTERNAL)) wrong.add("an INTERNAL error: " + f);
            if (f.verb() == Verb.WELCOME) {
                if (welcomed) wrong.add("a second WELCOME");
                welcomed = true;
            } else if (!welcomed && f.verb() != Verb.ERROR) {
                wrong.add("before any WELCOME: " + f);
            }
        }
        long bound = 4 * conn.received() + 4 * conn.answeredBytes() + 16 * 1024;
        if (conn.allocator().peakLiveBytes() > bound) {
            wrong.add("held " + conn.allocator().peakLiveBytes() + " bytes at once for " + conn.received() + " received and "
                    + conn.answeredBytes() + " answered (bound " + bound + ")");
        }
        if (!wrong.isEmpty()) wrong.add("answers: " + (answers.size() <= 10 ? answers : answers.subList(0, 10) + "..."));
    }

    /**
     * One connection's input: whether it logs in first, its bytes, where its frames start, where
     * it is cut. A session that does not log in first may start with a HELLO of its own (valid or
     * mutated); if that frame is complete, {@code helloEnds} is where it ends, and it is always cut
     * there and its answer awaited before the rest is sent: the server checks a login on another
     * thread and answers frames that arrive meanwhile inconsistently (a defect the split test shows).
     */
    private static final class Session {
        final boolean loggedIn;
        final byte[] bytes;
        final int[] starts;
        final int[] cuts;
        final int helloEnds;
        private final String kinds;

        private Session(boolean loggedIn, byte[] bytes, int[] starts, int[] cuts, int helloEnds, String kinds) {
            this.loggedIn = loggedIn;
            this.bytes = bytes;
            this.starts = starts;
            this.helloEnds = helloEnds;
            this.cuts = helloEnds > 0 ? IntStream.concat(Arrays.stream(cuts), IntStream.of(helloEnds))
                    .filter(c -> c > 0 && c < bytes.length).sorted().distinct().toArray() : cuts;
            this.kinds = kinds;
        }

        @Override
        public String toString() {
            return (loggedIn ? "after HELLO, " : "without HELLO, ") + kinds + ", cut at " + Arrays.toString(cuts) + ": " + ServerFrame.hex(bytes);
        }

        static Session generate(Random r) {
            boolean loggedIn = r.nextInt(10) != 0;
            int n = 1 + r.nextInt(8);
            List<byte[]> frames = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(10);
                if (!loggedIn && i == 0 && r.nextBoolean()) {
                    ClientFrames.Template hello = switch (r.nextInt(3)) {
                        case 0 -> ClientFrames.hello(1 + r.nextInt(4));
                        case 1 -> ClientFrames.helloWithToken(1 + r.nextInt(4));
                        default -> ClientFrames.helloWithPassword(1 + r.nextInt(4));
                    };
                    boolean mutate = r.nextInt(4) != 0;
                    frames.add(mutate ? Mutator.mutate(r, hello) : hello.frame());
                    kinds.add(mutate ? "mutated HELLO" : "HELLO");
                } else if (kind < 2) {
                    ClientFrames.Template t = Valid.frame(r);
                    frames.add(t.frame());
                    kinds.add(t.name());
                } else if (kind < 7) {
                    ClientFrames.Template t = Valid.frame(r);
                    frames.add(Mutator.mutate(r, t));
                    kinds.add("mutated " + t.name());
                } else if (kind < 9) {
                    frames.add(Mutator.randomFrame(r));
                    kinds.add("random frame");
                } else {
                    byte[] raw = new byte[1 + r.nextInt(24)];
                    r.nextBytes(raw);
                    frames.add(raw);
                    kinds.add("random bytes");
                }
            }
            int[] starts = new int[n];
            int at = 0;
            for (int i = 0; i < n; i++) {
                starts[i] = at;
                at += frames.get(i).length;
            }
            byte[] bytes = Wire.concat(frames.toArray(byte[][]::new));
            int helloEnds = kinds.get(0).endsWith("HELLO") ? framedLength(frames.get(0)) : 0;
            return new Session(loggedIn, bytes, starts, cuts(r, bytes.length, starts), helloEnds, String.join(", ", kinds));
        }

        /** Where the decoder will end a frame (or fail on it) within these bytes; 0 if it needs more. */
        private static int framedLength(byte[] frame) {
            if (frame.length < 4) return 0;
            long length = Wire.getInt(frame, 0) & 0xFFFF_FFFFL;
            if (length > Mutator.MAX_FRAME) return 4; // refused as soon as the length is read
            return length + 4 <= frame.length ? (int) length + 4 : 0;
        }

        /** Where to cut the bytes: nowhere, between frames, at random places, or into small pieces. */
        private static int[] cuts(Random r, int length, int[] starts) {
            if (length < 2) return new int[0];
            return switch (r.nextInt(4)) {
                case 0 -> new int[0];
                case 1 -> Arrays.stream(starts).filter(s -> s > 0).toArray();
                case 2 -> r.ints(1 + r.nextInt(4), 1, length).sorted().distinct().toArray();
                default -> {
                    int size = 1 + r.nextInt(16);
                    int[] c = new int[(length - 1) / size];
                    for (int i = 0; i < c.length; i++) c[i] = (i + 1) * size;
                    yield c;
                }
            };
        }
    }

    /** Valid frames of every verb, over a few shared names, so that they meet: sends are fetched, publishes reach subscribers. */
    private static final class Valid {
        private static final String[] QUEUES = {"fz.q0", "fz.q1", "fz.q2"};
        private static final String[] SUBJECTS = {"fz.t.a", "fz.t.b"};
        private static final String[] PATTERNS = {"fz.t.>", "fz.t.*", "fz.t.a"};

        static ClientFrames.Template frame(Random r) {
            int stream = 1 + r.nextInt(12);
            String q = QUEUES[r.nextInt(QUEUES.length)];
            String payload = "p".repeat(r.nextInt(40));
            return switch (r.nextInt(20)) {
                case 0 -> ClientFrames.ping(stream);
                case 1 -> r.nextInt(8) == 0 ? ClientFrames.bye(stream) : ClientFrames.ping(stream);
                case 2 -> ClientFrames.queue(stream, q);
                case 3, 4 -> ClientFrames.send(stream, q, payload);
                case 5 -> ClientFrames.fetch(stream, q, 1 + r.nextInt(4), r.nextInt(20), tokens(r));
                case 6 -> ClientFrames.ack(stream, q, tokens(r));
                case 7 -> ClientFrames.nack(stream, q, r.nextInt(100));
                case 8 -> ClientFrames.release(stream, q, r.nextInt(100));
                case 9 -> ClientFrames.extend(stream, q, r.nextInt(100));
                case 10 -> ClientFrames.stats(stream, q);
                case 11, 12 -> ClientFrames.publish(stream, SUBJECTS[r.nextInt(SUBJECTS.length)], payload);
                case 13 -> ClientFrames.subscribe(stream, PATTERNS[r.nextInt(PATTERNS.length)]);
                case 14 -> ClientFrames.unsubscribe(stream, 1 + r.nextInt(12));
                case 15 -> ClientFrames.durable(stream, "fz.d" + r.nextInt(2), "fz.t.>");
                case 16 -> ClientFrames.serve(stream, "fz.svc" + r.nextInt(2));
                case 17 -> ClientFrames.unserve(stream, 1 + r.nextInt(12));
                case 18 -> ClientFrames.call(stream, "fz.svc" + r.nextInt(2), 1 + r.nextInt(30));
                default -> r.nextBoolean() ? ClientFrames.reply(0, 1 + r.nextInt(3), "fz.svc0") : ClientFrames.cancelRequest(stream);
            };
        }

        private static long[] tokens(Random r) {
            long[] t = new long[r.nextInt(3)];
            for (int i = 0; i < t.length; i++) t[i] = r.nextInt(5000);
            return t;
        }
    }

    /** Mutations of a frame: first, perhaps, of one field by its layout; then of its bytes. */
    static final class Mutator {
        private static final int MAX_FRAME = Frames.maxFrameBytes(1 << 20);
        private static final long[] U16 = {0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF};
        private static final long[] U32 = {0, 1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1 << 20};
        private static final long[] I64 = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE + 1L};

        static byte[] mutate(Random r, ClientFrames.Template t) {
            byte[] fields = t.fields().bytes();
            List<Wire.Field> layout = t.fields().fields();
            if (!layout.isEmpty() && r.nextInt(3) != 0) fields = mutateField(r, fields, layout.get(r.nextInt(layout.size())));
            byte[] f = t.frameWith(fields);
            int ops = r.nextInt(3);
            for (int i = 0; i < ops; i++) f = mutateBytes(r, f);
            return f;
        }

        private static byte[] mutateField(Random r, byte[] fields, Wire.Field field) {
            byte[] b = fields.clone();
            int at = field.offset();
            switch (field.kind()) {
                case ENUM -> b[at] = (byte) r.nextInt(256);
                case U16, HEADER_COUNT, TOKEN_COUNT -> put(b, at, 2, pick(r, U16));
                case U32 -> put(b, at, 4, pick(r, U32));
                case BYTES -> put(b, at, 4, pick(r, U32));
                case I64 -> put(b, at, 8, pick(r, I64));
                case STR, NULLABLE_STR -> {
                    if (r.nextBoolean()) {
                        put(b, at, 2, r.nextBoolean() ? pick(r, U16) : field.length() - 2 + 1 + r.nextInt(4));
                    } else {
                        byte[] bad = MalformedFrameCorpus.BAD_UTF8.get(r.nextInt(MalformedFrameCorpus.BAD_UTF8.size()));
                        byte[] str = Wire.concat(new byte[] {(byte) (bad.length >>> 8), (byte) bad.length}, bad);
                        return Wire.concat(Arrays.copyOfRange(b, 0, at), str, Arrays.copyOfRange(b, at + field.length(), b.length));
                    }
                }
            }
            return b;
        }

        private static byte[] mutateBytes(Random r, byte[] f) {
            if (f.length == 0) return f;
            switch (r.nextInt(9)) {
                case 0 -> { // flip a bit, anywhere, the length field included
                    byte[] b = f.clone();
                    int at = r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                    return b;
                }
                case 1 -> { // a boundary or random value in a byte after the length
                    if (f.length <= 4) return f;
                    byte[] b = f.clone();
                    b[4 + r.nextInt(b.length - 4)] = (byte) new int[] {0, 0xFF, 0x7F, 0x80, r.nextInt(256)}[r.nextInt(5)];
                    return b;
                }
                case 2 -> { // truncate, length fixed
                    if (f.length <= 4) return f;
                    return fixLength(Arrays.copyOf(f, 4 + r.nextInt(f.length - 4)));
                }
                case 3 -> { // truncate, length not fixed: what follows is read as the rest of this frame
                    return Arrays.copyOf(f, r.nextInt(f.length));
                }
                case 4 -> { // change the length field
                    if (f.length < 4) return f;
                    byte[] b = f.clone();
                    int length = Wire.getInt(b, 0);
                    int[] choices = {r.nextInt(), length + 1 + r.nextInt(8), length - 1 - r.nextInt(8), r.nextInt(5), MAX_FRAME, MAX_FRAME + 1};
                    Wire.putInt(b, 0, choices[r.nextInt(choices.length)]);
                    return b;
                }
                case 5 -> { // insert random bytes after the header, length fixed
                    if (f.length < 9) return f;
                    byte[] extra = new byte[1 + r.nextInt(8)];
                    r.nextBytes(extra);
                    int at = 9 + r.nextInt(f.length - 8);
                    return fixLength(Wire.concat(Arrays.copyOf(f, at), extra, Arrays.copyOfRange(f, at, f.length)));
                }
                case 6 -> { // delete a range after the header, length fixed
                    if (f.length <= 9) return f;
                    int at = 9 + r.nextInt(f.length - 9);
                    int to = at + 1 + r.nextInt(Math.min(8, f.length - at));
                    return fixLength(Wire.concat(Arrays.copyOf(f, at), Arrays.copyOfRange(f, to, f.length)));
                }
                case 7 -> { // bytes left over, length fixed
                    byte[] extra = new byte[1 + r.nextInt(8)];
                    r.nextBytes(extra);
                    return f.length < 4 ? f : fixLength(Wire.concat(f, extra));
                }
                default -> { // another verb
                    if (f.length < 5) return f;
                    byte[] b = f.clone();
                    b[4] = (byte) (r.nextBoolean() ? pick(r, MalformedFrameCorpus.CLIENT_VERBS) : r.nextInt(256));
                    return b;
                }
            }
        }

        /** A frame of a random verb, stream and fields (mostly short, sometimes a few KiB). */
        static byte[] randomFrame(Random r) {
            int verb = r.nextBoolean() ? pick(r, MalformedFrameCorpus.CLIENT_VERBS) : r.nextInt(256);
            byte[] fields = new byte[r.nextInt(10) == 0 ? r.nextInt(4096) : r.nextInt(48)];
            r.nextBytes(fields);
            return Wire.frame(verb, r.nextInt(), fields);
        }

        private static byte[] fixLength(byte[] f) {
            Wire.putInt(f, 0, f.length - 4);
            return f;
        }

        private static void put(byte[] b, int at, int width, long value) {
            for (int i = 0; i < width; i++) b[at + i] = (byte) (value >>> (8 * (width - 1 - i)));
        }

        private static long pick(Random r, long[] values) {
            return r.nextInt(4) == 0 ? r.nextLong() : values[r.nextInt(values.length)];
        }

        private static int pick(Random r, java.util.Set<Integer> values) {
            Integer[] all = values.toArray(Integer[]::new);
            Arrays.sort(all); // a set's order is not fixed from run to run; the choice must be
            return all[r.nextInt(all.length)];
        }
    }
}
