package io.baton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.Baton;
import io.baton.Message;
import io.baton.StartPosition;
import io.baton.SubscribeOptions;
import io.baton.Subscription;
import io.baton.Topic;
import io.baton.tck.Recorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the {@code file:} backend keeps of topics: history within its limits, durable backlogs, sequence numbers. */
class FileTopicsTest {
    private static final String PAYLOAD = "x".repeat(200);

    @TempDir
    Path dir;

    private String url(String history) {
        return "file:" + dir + "?segmentBytes=4096&" + history;
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("log"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).count();
        }
    }

    private static List<Message<String>> replay(Baton baton, String subject, int count) {
        Recorder<Message<String>> got = new Recorder<>();
        baton.topic(subject, String.class).subscribeMessages(got::add,
                SubscribeOptions.builder().durable("replay-" + System.nanoTime()).start(StartPosition.EARLIEST).build());
        return got.awaitSize(count);
    }

    @Test
    void historyIsTrimmedToItsCountLimit_acrossARestart() {
        try (Baton baton = Baton.connect(url("historyMessages=10"))) {
            Topic<String> topic = baton.topic("t.count", String.class);
            IntStream.range(0, 30).forEach(i -> topic.publish("m" + i));
        }
        try (Baton baton = Baton.connect(url("historyMessages=10"))) {
            List<Message<String>> history = replay(baton, "t.count", 10);
            assertThat(history).extracting(Message::body).containsExactlyElementsOf(IntStream.range(20, 30).mapToObj(i -> "m" + i).toList());
        }
    }

    @Test
    void expiredHistoryIsDeleted_andSequenceNumbersStillGoOn() throws IOException {
        long lastSeq;
        try (Baton baton = Baton.connect(url("historyAgeSeconds=1"))) {
            Topic<String> topic = baton.topic("t.age", String.class);
            IntStream.range(0, 60).forEach(i -> topic.publish(PAYLOAD));
            lastSeq = replay(baton, "t.age", 60).get(59).sequence();
            assertThat(segmentFiles()).isGreaterThan(2);
            // past its age the history goes, and the cleanup deletes every segment but the active one
            await().atMost(Duration.ofSeconds(20)).until(() -> segmentFiles() == 1);
        }
        try (Baton baton = Baton.connect(url("historyAgeSeconds=1"))) {
            Recorder<Message<String>> got = new Recorder<>();
            Topic<String> topic = baton.topic("t.age", String.class);
            topic.subscribeMessages(got::add, SubscribeOptions.builder().durable("after").start(StartPosition.EARLIEST).build());
            topic.publish("new");
            Message<String> only = got.awaitSize(1).get(0);
            assertThat(only.body()).as("the expired history is gone").isEqualTo("new");
            assertThat(only.sequence()).as("sequence numbers never go back").isGreaterThan(lastSeq);
        }
    }

    @Test
    void aDurableSubscriptionsBacklog_outlivesTheHistorysAge() throws IOException {
        try (Baton baton = Baton.connect(url("historyAgeSeconds=1"))) {
            Topic<String> topic = baton.topic("t.backlog", String.class);
            Subscription away = topic.subscribe(s -> { }, SubscribeOptions.durable("slow"));
            away.close();
            IntStream.range(0, 60).forEach(i -> topic.publish("m" + i + PAYLOAD));
            long segments = segmentFiles();
            assertThat(segments).isGreaterThan(2);
            // the history expires after 1 s and the cleanup runs every second: the backlog keeps its segments
            await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() -> segmentFiles() == segments);
        }
        try (Baton baton = Baton.connect(url("historyAgeSeconds=1"))) {
            Recorder<String> got = new Recorder<>();
            baton.topic("t.backlog", String.class).subscribe(got::add, SubscribeOptions.durable("slow"));
            assertThat(got.awaitSize(60)).containsExactlyElementsOf(IntStream.range(0, 60).mapToObj(i -> "m" + i + PAYLOAD).toList());
        }
    }
}
