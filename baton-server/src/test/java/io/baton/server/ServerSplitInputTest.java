package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.baton.protocol.ErrorCode;
import io.baton.protocol.Verb;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TCP may cut a client's bytes anywhere: the server must answer valid frames the same however
 * they arrive. A session of valid frames (QUEUE, SEND, FETCH, SUBSCRIBE, PUBLISH, SERVE, UNSERVE,
 * PING) is delivered whole, then in two writes cut at every byte, then in pieces of every size
 * down to one byte; each run must get exactly the answers of the whole delivery, stream by
 * stream. Each run has its own queue, topic and service (a tag in their names, the same length,
 * so the cuts fall at the same places); answers are compared with the tag put back to the first
 * run's, and without the topic sequence a MESSAGE carries (server-wide, so it differs run to run).
 */
class ServerSplitInputTest {
    private static BatonServer server;

    @BeforeAll
    static void start() {
        server = BatonServer.start(ServerOptions.builder().port(0).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String tag(int run) {
        return String.format("r%05d", run);
    }

    /** The frames after HELLO, in one piece. */
    static byte[] session(String tag) {
        String q = "split.q." + tag;
        return Wire.concat(
                ClientFrames.queue(2, q).frame(),
                ClientFrames.send(3, q, "hello, split").frame(),
                ClientFrames.fetch(4, q, 1, 10_000).frame(), // waits for the SEND, whichever runs first
                ClientFrames.subscribe(5, "split.t." + tag + ".>").frame(),
                ClientFrames.publish(6, "split.t." + tag + ".news", "extra").frame(),
                ClientFrames.serve(7, "split.svc." + tag).frame(),
                ClientFrames.unserve(8, 7).frame(),
                ClientFrames.ping(9).frame());
    }

    /** OK to each of the eight requests, and the MESSAGE the subscription gets. */
    private static final int ANSWERS = 9;

    /** A run's answers, stream by stream (order kept within a stream), its tag replaced by run 0's. */
    static Map<Integer, List<ServerFrame>> byStream(List<ServerFrame> answers, String tag) {
        Map<Integer, List<ServerFrame>> m = new TreeMap<>();
        byte[] from = tag.getBytes(StandardCharsets.US_ASCII);
        byte[] to = tag(0).getBytes(StandardCharsets.US_ASCII);
        for (ServerFrame f : answers) {
            byte[] fields = replace(f.fields(), from, to);
            // a topic's sequence is the server's to choose (the mem: backend numbers all topics together)
            if (f.verb() == Verb.MESSAGE) Arrays.fill(fields, 0, 8, (byte) 0);
            m.computeIfAbsent(f.stream(), s -> new ArrayList<>()).add(new ServerFrame(f.verb(), f.stream(), fields));
        }
        return m;
    }

    private static byte[] replace(byte[] in, byte[] from, byte[] to) {
        byte[] out = in.clone();
        outer:
        for (int i = 0; i + from.length <= out.length; i++) {
            for (int j = 0; j < from.length; j++) if (out[i + j] != from[j]) continue outer;
            System.arraycopy(to, 0, out, i, to.length);
        }
        return out;
    }

    /** Delivers {@code bytes} after a login, cut at {@code cuts}; returns the answers after the WELCOME. */
    private static List<ServerFrame> embeddedRun(byte[] bytes, int... cuts) {
        EmbeddedConnection conn = new EmbeddedConnection(server);
        try {
            conn.hello();
            int from = 0;
            for (int cut : cuts) {
                conn.feed(bytes, from, cut);
                from = cut;
            }
            conn.feed(bytes, from, bytes.length);
            List<ServerFrame> answers = conn.awaitAnswers(1 + ANSWERS);
            assertThat(conn.isOpen()).as("still open").isTrue();
            assertThat(conn.problems()).as("frames the server wrote that are not well formed").isEmpty();
            return answers.subList(1, answers.size());
        } finally {
            conn.close();
        }
    }

    private static Map<Integer, List<ServerFrame>> baseline;

    private static synchronized Map<Integer, List<ServerFrame>> baseline() {
        if (baseline == null) {
            baseline = byStream(embeddedRun(session(tag(0))), tag(0));
            assertThat(baseline.keySet()).containsExactly(2, 3, 4, 5, 6, 7, 8, 9);
            assertThat(baseline.values().stream().flatMap(List::stream)).noneMatch(f -> f.verb() == Verb.ERROR);
            assertThat(baseline.get(4).get(0).fields()).as("FETCH got the message").startsWith(0, 1);
            assertThat(baseline.get(5)).extracting(ServerFrame::verb).containsExactly(Verb.OK, Verb.MESSAGE);
        }
        return baseline;
    }

    @Test
    void aSession_inTwoWrites_cutAtEveryByte_getsTheAnswersOfTheWholeSession() {
        Map<Integer, List<ServerFrame>> expected = baseline();
        int length = session(tag(0)).length;
        for (int cut = 1; cut < length; cut++) {
            String tag = tag(cut);
            List<ServerFrame> answers = embeddedRun(session(tag), cut);
            assertThat(byStream(answers, tag)).as("cut at byte %d of %d", cut, length).isEqualTo(expected);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
    }

    @Test
    void aSession_inPiecesOfEverySize_downToSingleBytes_getsTheAnswersOfTheWholeSession() {
        Map<Integer, List<ServerFrame>> expected = baseline();
        int length = session(tag(0)).length;
        for (int size = 1; size < length; size++) {
            String tag = tag(10_000 + size);
            int[] cuts = new int[(length - 1) / size];
            for (int i = 0; i < cuts.length; i++) cuts[i] = (i + 1) * size;
            List<ServerFrame> answers = embeddedRun(session(tag), cuts);
            assertThat(byStream(answers, tag)).as("in pieces of %d bytes", size).isEqualTo(expected);
        }
    }

    @Test
    void hello_cutAtEveryByte_isWelcomed() {
        byte[] hello = ClientFrames.hello(1).frame();
        for (int cut = 1; cut < hello.length; cut++) {
            EmbeddedConnection conn = new EmbeddedConnection(server);
            try {
                conn.feed(hello, 0, cut);
                assertThat(conn.answers()).as("answers to %d bytes of a HELLO", cut).isEmpty();
                conn.feed(hello, cut, hello.length);
                assertThat(conn.awaitAnswers(1)).extracting(ServerFrame::verb, ServerFrame::stream).containsExactly(
                        tuple(Verb.WELCOME, 1));
            } finally {
                conn.close();
            }
        }
    }

    @Test
    void aSession_overTcp_inTwoFlushedWrites_cutAtEveryByte_getsTheAnswersOfTheWholeSession() throws IOException {
        Map<Integer, List<ServerFrame>> expected = baseline();
        int length = session(tag(0)).length;
        for (int cut = 1; cut < length; cut++) {
            String tag = tag(20_000 + cut);
            byte[] bytes = session(tag);
            List<ServerFrame> answers = new ArrayList<>();
            try (RawSocket raw = new RawSocket(server.port())) {
                raw.hello();
                raw.write(bytes, 0, cut).write(bytes, cut, bytes.length);
                for (int i = 0; i < ANSWERS; i++) answers.add(raw.read());
            }
            assertThat(byStream(answers, tag)).as("over TCP, cut at byte %d of %d", cut, length).isEqualTo(expected);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
    }

    /** BYE right behind requests answered off the event loop (QUEUE, SEND, PUBLISH), many times: BYE closes only once they are answered. */
    @Test
    void bye_afterRequestsInFlight_closesOnlyOnceTheyAreAnswered() throws IOException {
        for (int i = 0; i < 100; i++) {
            try (RawSocket raw = new RawSocket(server.port())) {
                raw.hello();
                String q = "bye.q." + i;
                raw.write(Wire.concat(ClientFrames.queue(2, q).frame(), ClientFrames.send(3, q, "last words").frame(),
                        ClientFrames.publish(4, "bye.t", "news").frame(), ClientFrames.bye(5).frame()));
                List<ServerFrame> answers = new ArrayList<>();
                try {
                    while (answers.size() < 4) answers.add(raw.read());
                } catch (EOFException closed) {
                    // the server closed the connection: the answers so far say what was lost
                }
                assertThat(answers).as("attempt %d: %s", i, answers).extracting(ServerFrame::verb, ServerFrame::stream)
                        .containsExactlyInAnyOrder(tuple(Verb.OK, 2), tuple(Verb.OK, 3), tuple(Verb.OK, 4), tuple(Verb.OK, 5));
                assertThat(raw.closedByServer()).isTrue();
            }
        }
    }

    /** The smallest pipelined login, over TCP, many times: the answers must not depend on how fast the login check is. */
    @Test
    void helloAndPing_inOneWrite_areAnsweredWelcomeThenOk() throws IOException {
        byte[] both = Wire.concat(ClientFrames.hello(1).frame(), ClientFrames.ping(2).frame());
        for (int i = 0; i < 200; i++) {
            try (RawSocket raw = new RawSocket(server.port())) {
                raw.write(both);
                List<ServerFrame> answers = new ArrayList<>();
                try {
                    while (answers.size() < 2) answers.add(raw.read());
                } catch (EOFException closed) {
                    // the server closed the connection: the answers so far say why
                }
                assertThat(answers).as("attempt %d: %s", i, answers).extracting(ServerFrame::verb).containsExactly(Verb.WELCOME, Verb.OK);
            }
        }
    }

    /**
     * HELLO and the frames after it, sent without waiting for the WELCOME (the protocol asks only
     * that HELLO be the first frame), cut at every byte.
     */
    @Test
    void hello_andTheSession_pipelined_cutAtEveryByte_getTheAnswersOfTheWholeSession() {
        Map<Integer, List<ServerFrame>> expected = baseline();
        byte[] hello = ClientFrames.hello(1).frame();
        int length = hello.length + session(tag(0)).length;
        for (int cut = 0; cut < length; cut++) {
            String tag = tag(30_000 + cut);
            byte[] bytes = Wire.concat(hello, session(tag));
            EmbeddedConnection conn = new EmbeddedConnection(server);
            try {
                if (cut > 0) conn.feed(bytes, 0, cut);
                conn.feed(bytes, cut, bytes.length);
                conn.awaitUntil("every answer, or the connection closed", Duration.ofSeconds(10),
                        () -> conn.answerCount() >= 1 + ANSWERS || !conn.isOpen());
                List<ServerFrame> answers = conn.answers();
                assertThat(answers).as("cut at byte %d", cut).noneMatch(f -> f.isError(ErrorCode.NOT_AUTHENTICATED)).hasSize(1 + ANSWERS);
                assertThat(answers.get(0).verb()).isEqualTo(Verb.WELCOME);
                assertThat(byStream(answers.subList(1, answers.size()), tag)).as("cut at byte %d of %d", cut, length).isEqualTo(expected);
            } finally {
                conn.close();
            }
        }
    }
}
