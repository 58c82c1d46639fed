package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.baton.ProtocolException;
import io.baton.protocol.ErrorCode;
import io.baton.protocol.FrameReader;
import io.baton.protocol.Frames;
import io.baton.protocol.Verb;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server never allocates more than a bounded multiple of what it was sent (docs/protocol.md,
 * "Limits"): a length field that claims a megabyte costs nothing until the bytes come, and a count
 * that claims 65,535 headers or tokens in a short frame costs nothing at all. Measured two ways:
 * with a {@link CountingAllocator} under the server's pipeline (every buffer Netty and the server
 * ask for), and with the JVM's count of bytes allocated by the thread that decodes (everything,
 * {@code FrameReader}'s arrays and maps included).
 */
class ServerAllocationBoundTest {
    private static final long FACTOR = ServerMalformedCorpusTest.ALLOCATION_FACTOR;
    private static final long ALLOWANCE = ServerMalformedCorpusTest.ALLOCATION_ALLOWANCE;
    /**
     * What one rejected frame may cost the decoding thread in all: the exception with its stack
     * trace, the log line, the ERROR frame. A 65,535-entry map (a 1 MiB table) or token array
     * (512 KiB) would not fit, nor would a 64 KiB string.
     */
    private static final long PER_FRAME_ALLOWANCE = 32 * 1024;

    private static BatonServer server;

    @BeforeAll
    static void start() {
        server = BatonServer.start(ServerOptions.builder().port(0).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertBounded(EmbeddedConnection conn, String what) {
        long bound = FACTOR * conn.received() + ALLOWANCE;
        CountingAllocator a = conn.allocator();
        assertThat(a.largestBuffer()).as("%s: largest buffer, %d bytes received", what, conn.received()).isLessThanOrEqualTo(bound);
        assertThat(a.peakLiveBytes()).as("%s: most bytes held, %d bytes received", what, conn.received()).isLessThanOrEqualTo(bound);
    }

    @Test
    void aLengthClaimingUpToTheLargestFrame_costsAMultipleOfTheBytesThatCame_notTheClaim() {
        int maxFrame = Frames.maxFrameBytes(server.options().maxPayloadBytes());
        for (boolean loggedIn : new boolean[] {false, true}) {
            for (int claimed : new int[] {4 * 1024, 64 * 1024, 1 << 20, maxFrame}) {
                for (int sent : new int[] {9, 100, 1_000, 10_000, 100_000}) {
                    if (sent >= claimed) continue;
                    EmbeddedConnection conn = new EmbeddedConnection(server);
                    try {
                        if (loggedIn) conn.hello();
                        byte[] bytes = Arrays.copyOf(Wire.frame(claimed, Verb.PUBLISH, 1, new byte[0]), sent);
                        for (int from = 0; from < sent; from += 1_000) conn.feed(bytes, from, Math.min(sent, from + 1_000));
                        String what = "a frame claiming " + claimed + " bytes, " + sent + " sent" + (loggedIn ? " after HELLO" : "");
                        assertThat(conn.answerCount()).as(what).isEqualTo(loggedIn ? 1 : 0);
                        assertThat(conn.isOpen()).as(what + ": waits for the rest").isTrue();
                        assertBounded(conn, what);
                    } finally {
                        conn.close();
                    }
                    assertThat(conn.allocator().liveBuffers()).as("buffers held after the connection closed").isZero();
                }
            }
        }
    }

    @Test
    void aFrameOverTheLimit_followedByAMegabyteOfJunk_isRefused_withoutBufferingTheJunk() {
        EmbeddedConnection conn = new EmbeddedConnection(server);
        try {
            conn.hello();
            byte[] junk = new byte[1 << 20];
            Wire.putInt(junk, 0, 0x7FFF_FFFF);
            for (int from = 0; from < junk.length && conn.feed(junk, from, from + 4096); from += 4096) {
                // feeds until the server closes
            }
            assertThat(conn.answers()).last().matches(f -> f.isError(ErrorCode.FRAME_TOO_LARGE), "FRAME_TOO_LARGE");
            assertThat(conn.isOpen()).isFalse();
            assertThat(conn.allocator().largestBuffer()).as("largest buffer").isLessThanOrEqualTo(ALLOWANCE);
        } finally {
            conn.close();
        }
    }

    @Test
    void aWholeFrameAtTheLimit_costsAboutItsSize() {
        EmbeddedConnection conn = new EmbeddedConnection(server);
        try {
            conn.hello();
            byte[] payload = new byte[server.options().maxPayloadBytes()];
            byte[] frame = ClientFrames.publish(2, "alloc.big", "").frameWith(
                    new Wire().envelope("alloc.big", null, null, java.util.Map.of(), 0, payload).bytes());
            for (int from = 0; from < frame.length; from += 8192) conn.feed(frame, from, Math.min(frame.length, from + 8192));
            assertThat(conn.awaitAnswers(2).get(1)).matches(f -> f.verb() == Verb.OK && f.stream() == 2, "OK to the PUBLISH");
            assertBounded(conn, "a whole frame of " + frame.length + " bytes");
            assertThat(conn.allocator().largestBuffer()).as("it did need a buffer the size of the frame").isGreaterThanOrEqualTo(frame.length);
        } finally {
            conn.close();
        }
    }

    // ---- the whole decoding thread, FrameReader included ---------------------------------------

    /** Bytes the current thread allocated while {@code action} ran (the JVM's count; HotSpot keeps it). */
    private static long allocatedBy(Runnable action) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled())
                .as("this JVM counts allocated bytes per thread").isTrue();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /** Fields that claim far more than they hold; each followed by the little they do hold. */
    private static final byte[] HEADERS_65535_ONE_THERE = MalformedFrameCorpus.bytes(0xFF, 0xFF, 0, 0, 0, 0);
    private static final byte[] TOKENS_65535_ONE_THERE = MalformedFrameCorpus.bytes(0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1);
    private static final byte[] STR_65534_FOUR_THERE = MalformedFrameCorpus.bytes(0xFF, 0xFE, 'a', 'b', 'c', 'd');
    private static final byte[] BYTES_2G_FOUR_THERE = MalformedFrameCorpus.bytes(0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4);

    private static long readerCost(byte[] fields, Consumer<FrameReader> read) {
        Runnable once = () -> assertThatThrownBy(() -> read.accept(new FrameReader(Unpooled.wrappedBuffer(fields))))
                .isInstanceOf(ProtocolException.class);
        for (int i = 0; i < 200; i++) once.run(); // warm: class loading and the interpreter allocate too
        return allocatedBy(once);
    }

    @Test
    void frameReader_countsAndLengthsThatRunPastTheFrame_allocateNothingForWhatTheyClaim() {
        assertThat(readerCost(HEADERS_65535_ONE_THERE, FrameReader::headers)).as("65,535 headers claimed").isLessThan(PER_FRAME_ALLOWANCE);
        assertThat(readerCost(TOKENS_65535_ONE_THERE, FrameReader::tokens)).as("65,535 tokens claimed").isLessThan(PER_FRAME_ALLOWANCE);
        assertThat(readerCost(STR_65534_FOUR_THERE, r -> r.str("s"))).as("a 65,534-byte string claimed").isLessThan(PER_FRAME_ALLOWANCE);
        assertThat(readerCost(BYTES_2G_FOUR_THERE, r -> r.bytes("payload", Integer.MAX_VALUE))).as("2 GiB of payload claimed")
                .isLessThan(PER_FRAME_ALLOWANCE);
    }

    @Test
    void frameReader_measuresWhatItReallyAllocates() {
        // the measure is not blind: 16,383 empty headers that are there cost a real map
        byte[] many = new byte[2 + 16_383 * 4];
        many[0] = (byte) 0x3F;
        many[1] = (byte) 0xFF;
        Runnable read = () -> assertThat(new FrameReader(Unpooled.wrappedBuffer(many)).headers()).hasSize(1);
        read.run();
        assertThat(allocatedBy(read)).isGreaterThan(64 * 1024);
    }

    @Test
    void theServersDecodingThread_forAShortFrameClaimingHugeCounts_allocatesAMultipleOfTheFrame() {
        String q = "alloc.q";
        byte[][] frames = {
                // PUBLISH: subject, id, key, then 65,535 headers of which one is there
                ClientFrames.publish(3, "x", "").frameWith(Wire.concat(new Wire().str("subject", "alloc.t").nullableStr("id", null)
                        .nullableStr("key", null).bytes(), HEADERS_65535_ONE_THERE)),
                // FETCH asking for 1, then 65,535 acks of which one is there
                ClientFrames.fetch(4, q, 1, 0).frameWith(Wire.concat(new Wire().u8("source", Wire.Kind.ENUM, 0).str("source name", q)
                        .u16("max", 1).u32("waitMillis", 0).u32("leaseMillis", 1000).bytes(), TOKENS_65535_ONE_THERE)),
                // ACK of 65,535 tokens
                ClientFrames.ack(5, q).frameWith(Wire.concat(new Wire().u8("source", Wire.Kind.ENUM, 0).str("source name", q).bytes(),
                        TOKENS_65535_ONE_THERE)),
                // SUBSCRIBE to a 65,534-byte pattern
                ClientFrames.subscribe(6, "x").frameWith(STR_65534_FOUR_THERE),
                // SEND of a 2 GiB payload
                ClientFrames.send(7, q, "").frameWith(Wire.concat(new Wire().str("queue", q).i64("deliverAt", 0).str("subject", q)
                        .nullableStr("id", null).nullableStr("key", null).headers(java.util.Map.of()).i64("timestamp", 0).bytes(),
                        BYTES_2G_FOUR_THERE)),
        };
        for (byte[] frame : frames) {
            for (int i = 0; i < 50; i++) rejected(frame); // warm
            long[] cost = new long[1];
            EmbeddedConnection conn = new EmbeddedConnection(server);
            try {
                conn.hello();
                cost[0] = allocatedBy(() -> conn.feed(frame));
                assertThat(conn.answers()).last().matches(f -> f.isError(ErrorCode.MALFORMED), "MALFORMED");
            } finally {
                conn.close();
            }
            assertThat(cost[0]).as("bytes allocated by the event loop for %s", ServerFrame.hex(frame))
                    .isLessThan(FACTOR * frame.length + PER_FRAME_ALLOWANCE);
        }
    }

    private static void rejected(byte[] frame) {
        EmbeddedConnection conn = new EmbeddedConnection(server);
        try {
            conn.hello();
            conn.feed(frame);
            assertThat(conn.answers()).last().matches(f -> f.isError(ErrorCode.MALFORMED), "MALFORMED");
        } finally {
            conn.close();
        }
    }
}
