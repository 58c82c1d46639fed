package io.baton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.Baton;
import io.baton.Message;
import io.baton.PayloadTooLargeException;
import io.baton.PublishOptions;
import io.baton.StartPosition;
import io.baton.SubscribeOptions;
import io.baton.Subscription;
import io.baton.Topic;
import io.baton.tck.Recorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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

    @Test
    void aNewDurableSubscription_getsWhatIsPublishedAfterARestart_evenAfterAFailedPublish() {
        try (Baton baton = Baton.connect("file:" + dir)) {
            Topic<String> topic = baton.topic("t.gap", String.class);
            topic.publish("before");
            // a header too long to store: a clear error, and the sequence number it took is a gap
            assertThatThrownBy(() -> topic.publish("bad", PublishOptions.headers(Map.of("h", "x".repeat(70_000)))))
                    .isInstanceOf(PayloadTooLargeException.class)
                    .hasMessageContaining("65,534");
            topic.subscribe(m -> { }, SubscribeOptions.durable("d")).close(); // NEW
        }
        try (Baton baton = Baton.connect("file:" + dir)) {
            Topic<String> topic = baton.topic("t.gap", String.class);
            topic.publish("after the restart");
            Recorder<String> got = new Recorder<>();
            topic.subscribe(got::add, SubscribeOptions.durable("d"));
            assertThat(got.awaitSize(1)).containsExactly("after the restart");
        }
    }

    @Test
    void durablesCreatedWhilePublishersRun_eachGetAGaplessRunInOrder() throws Exception {
        int subscriptions = 10;
        List<Recorder<Long>> recorders = new ArrayList<>();
        try (Baton baton = Baton.connect(url("historyMessages=100000"))) {
            Topic<Integer> topic = baton.topic("t.race", Integer.class);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                publishers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; !stop.get(); i++) topic.publish(i);
                }));
            }
            Recorder<Long> started = new Recorder<>();
            topic.subscribeMessages(m -> started.add(m.sequence()), SubscribeOptions.durable("first"));
            started.awaitSize(100); // publishers are running
            for (int k = 0; k < subscriptions; k++) {
                Recorder<Long> r = new Recorder<>();
                recorders.add(r);
                StartPosition start = k % 2 == 0 ? StartPosition.NEW : StartPosition.EARLIEST;
                topic.subscribeMessages(m -> r.add(m.sequence()), SubscribeOptions.builder().durable("d" + k).start(start).build());
                int seen = started.size();
                started.awaitSize(seen + 50); // publishes go on between creations
            }
            stop.set(true);
            for (Thread t : publishers) t.join();
            // everyone gets up to the last publish (the first subscription saw every one)
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                List<Long> all = started.items();
                return recorders.stream().allMatch(r -> !r.items().isEmpty() && r.items().get(r.size() - 1).equals(all.get(all.size() - 1)));
            });
        }
        for (int k = 0; k < subscriptions; k++) {
            List<Long> seqs = recorders.get(k).items();
            assertThat(seqs).as("d" + k).isSorted().doesNotHaveDuplicates();
            assertThat(seqs.get(seqs.size() - 1) - seqs.get(0) + 1).as("d" + k + " has no gap").isEqualTo(seqs.size());
        }
    }
}
