package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.protocol.ErrorCode;
import io.baton.protocol.Verb;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every input of the {@link MalformedFrameCorpus}, on its own connection: the server answers the
 * ERROR docs/protocol.md asks for and closes that connection (or, for an input that never
 * completes, says nothing and waits), holds no more memory than a small multiple of what it was
 * sent, gives every buffer back, and goes on serving everyone else: a connection made before the
 * corpus gets OK to a PING after every case. Once through an {@link EmbeddedConnection} (the
 * server's pipeline without a socket, allocation measured), once over TCP.
 *
 * <p>The server logs a WARN for each case; {@code -Dbaton.fuzz.verbose=true} keeps those lines.
 */
class ServerMalformedCorpusTest {
    /** What the server may allocate for a connection: this many times the bytes it was sent... */
    static final int ALLOCATION_FACTOR = 4;
    /** ...plus this much (an ERROR frame with its message capped at 4,000 characters fits). */
    static final int ALLOCATION_ALLOWANCE = 16 * 1024;

    private static BatonServer server;
    private static RawSocket survivor;
    private static List<MalformedFrameCorpus.Case> corpus;

    @BeforeAll
    static void start() throws IOException {
        server = BatonServer.start(ServerOptions.builder().port(0).build());
        corpus = MalformedFrameCorpus.generate(server.options().maxPayloadBytes());
        survivor = new RawSocket(server.port());
        survivor.hello();
    }

    @AfterAll
    static void stop() throws IOException {
        survivor.close();
        server.close();
    }

    @Test
    void theCorpus_hasOverFiveHundredCases_ofEveryKind_andIsTheSameEveryRun() {
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(500);
        assertThat(corpus).filteredOn(MalformedFrameCorpus.Case::incomplete).hasSizeGreaterThanOrEqualTo(20);
        assertThat(corpus.stream().map(MalformedFrameCorpus.Case::code).filter(Objects::nonNull).distinct())
                .containsExactlyInAnyOrder(ErrorCode.MALFORMED, ErrorCode.FRAME_TOO_LARGE, ErrorCode.UNKNOWN_VERB,
                        ErrorCode.NOT_AUTHENTICATED, ErrorCode.UNSUPPORTED_VERSION);
        assertThat(corpus.stream().map(c -> c.name() + c.afterHello()).distinct().count()).as("distinct cases").isEqualTo(corpus.size());
        List<MalformedFrameCorpus.Case> again = MalformedFrameCorpus.generate(server.options().maxPayloadBytes());
        assertThat(again).hasSameSizeAs(corpus);
        for (int i = 0; i < corpus.size(); i++) assertThat(again.get(i).bytes()).isEqualTo(corpus.get(i).bytes());
    }

    @Test
    void everyCase_inTheServersPipeline_isAnsweredAndClosed_withinTheAllocationBound() {
        List<String> failures = runQuietly(ServerMalformedCorpusTest::embedded);
        assertThat(failures).as("cases the server got wrong (%d of %d)", failures.size(), corpus.size()).isEmpty();
        assertThat(server.connectionCount()).as("connections still admitted").isEqualTo(1);
    }

    @Test
    void everyCase_overTcp_isAnsweredAndClosed_andOtherConnectionsGoOn() throws IOException {
        List<String> failures = runQuietly(ServerMalformedCorpusTest::overTcp);
        assertThat(failures).as("cases the server got wrong (%d of %d)", failures.size(), corpus.size()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 1);
        try (RawSocket late = new RawSocket(server.port())) {
            late.hello();
            late.ping(99);
        }
    }

    @Test
    void aMalformedFrame_namingAnUnknownDurableOrAnInvalidQueue_isMalformed() {
        List<MalformedFrameCorpus.Case> cases = MalformedFrameCorpus.sourceLookedUpBeforeTheFrameIsRead();
        assertThat(cases).hasSize(20);
        List<String> failures = new ArrayList<>();
        for (MalformedFrameCorpus.Case c : cases) {
            try {
                embedded(c);
            } catch (AssertionError | RuntimeException e) {
                failures.add(c + "\n    " + e.getMessage());
            }
        }
        assertThat(failures).as("cases the server got wrong (%d of %d)", failures.size(), cases.size()).isEmpty();
    }

    @FunctionalInterface
    private interface Check {
        void run(MalformedFrameCorpus.Case c) throws Exception;
    }

    /** Runs every case, the survivor's PING after each, with the server's log muted; returns what failed. */
    private static List<String> runQuietly(Check check) {
        List<String> failures = new ArrayList<>();
        PrintStream stderr = System.err;
        if (!Boolean.getBoolean("baton.fuzz.verbose")) System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            int stream = 1000;
            for (MalformedFrameCorpus.Case c : corpus) {
                try {
                    check.run(c);
                } catch (Exception | AssertionError e) {
                    failures.add(c + "\n    " + e.getMessage());
                }
                try {
                    survivor.ping(++stream);
                } catch (IOException | AssertionError e) {
                    throw new AssertionError("after " + c + " the connection made before the corpus no longer works", e);
                }
            }
        } finally {
            System.setErr(stderr);
        }
        return failures;
    }

    static void embedded(MalformedFrameCorpus.Case c) {
        int before = c.afterHello() ? 1 : 0;
        EmbeddedConnection conn = new EmbeddedConnection(server);
        try {
            if (c.afterHello()) conn.hello();
            conn.feed(c.bytes());
            if (c.incomplete()) {
                assertThat(conn.answers()).as("answers to an incomplete frame").hasSize(before);
                assertThat(conn.isOpen()).as("open, waiting for the rest").isTrue();
            } else {
                List<ServerFrame> answers = conn.awaitAnswers(before + c.okBefore() + 1);
                assertAnsweredWith(c, answers.subList(before, answers.size()));
                conn.awaitUntil("the connection closed", Duration.ofSeconds(5), () -> !conn.isOpen());
            }
            assertThat(conn.problems()).as("frames the server wrote that are not well formed").isEmpty();
            CountingAllocator alloc = conn.allocator();
            long bound = ALLOCATION_FACTOR * conn.received() + ALLOCATION_ALLOWANCE;
            assertThat(alloc.largestBuffer()).as("largest buffer for %d bytes received", conn.received()).isLessThanOrEqualTo(bound);
            assertThat(alloc.peakLiveBytes()).as("most bytes held for %d bytes received", conn.received()).isLessThanOrEqualTo(bound);
        } finally {
            conn.close();
        }
        conn.awaitUntil("every buffer released", Duration.ofSeconds(5), () -> conn.allocator().liveBuffers() == 0);
        assertThat(server.connectionCount()).as("connections admitted once it closed").isEqualTo(1);
    }

    private static void overTcp(MalformedFrameCorpus.Case c) throws IOException {
        try (RawSocket raw = new RawSocket(server.port())) {
            if (c.afterHello()) raw.hello();
            raw.write(c.bytes());
            if (c.incomplete()) {
                raw.shutdownOutput();
                assertThat(raw.closedByServer()).as("closed, with nothing sent, once the peer stopped").isTrue();
                return;
            }
            List<ServerFrame> answers = new ArrayList<>();
            for (int i = 0; i <= c.okBefore(); i++) answers.add(raw.read());
            assertAnsweredWith(c, answers);
            assertThat(raw.closedByServer()).as("closed after %s", answers).isTrue();
        }
    }

    /** {@code okBefore} answers that are not errors, then exactly the ERROR the case requires. */
    static void assertAnsweredWith(MalformedFrameCorpus.Case c, List<ServerFrame> answers) {
        assertThat(answers).as("answers").hasSize(c.okBefore() + 1);
        assertThat(answers.subList(0, c.okBefore())).allSatisfy(a -> assertThat(a.verb()).isEqualTo(Verb.OK));
        ServerFrame error = answers.get(c.okBefore());
        assertThat(error.verb()).as("%s", error).isEqualTo(Verb.ERROR);
        assertThat(error.errorCode()).as("%s", error).isEqualTo(c.code().code());
        assertThat(error.stream()).as("%s", error).isEqualTo(c.stream());
    }
}
