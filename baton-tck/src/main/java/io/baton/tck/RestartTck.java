package io.baton.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.ConsumeOptions;
import io.baton.InvalidNameException;
import io.baton.Headers;
import io.baton.Message;
import io.baton.Overflow;
import io.baton.Queue;
import io.baton.QueueFullException;
import io.baton.QueueOptions;
import io.baton.SendOptions;
import io.baton.StartPosition;
import io.baton.SubscribeOptions;
import io.baton.Subscription;
import io.baton.Topic;
import io.baton.spi.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The restart suite: close the connection, open it again, check what survived. Every durable
 * backend runs it; the whole suite is skipped on backends that do not declare
 * {@link Capability#DURABLE}.
 */
public abstract class RestartTck extends BackendTck {

    @BeforeEach
    void requireDurable() {
        assumeCapability(Capability.DURABLE, Capability.QUEUES);
    }

    @Test
    public void restart_pendingMessagesSurvive_inSendOrder() {
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        for (int i = 0; i < 20; i++) queue.send("m" + i);

        reconnect();

        Queue<String> again = baton.queue(name, String.class);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Message<String> m = receiveOne(again);
            got.add(m.body());
            m.ack();
        }
        assertThat(got).containsExactlyElementsOf(QueueTck.range(20).stream().map(i -> "m" + i).toList());
        assertThat(again.receive(Duration.ofMillis(200))).isEmpty();
    }

    @Test
    public void restart_ackedMessagesAreNeverRedelivered() {
        String name = queueName();
        Queue<Integer> queue = baton.queue(name, Integer.class);
        for (int i = 0; i < 10; i++) queue.send(i);
        for (int i = 0; i < 5; i++) receiveOne(queue).ack();

        reconnect();

        Queue<Integer> again = baton.queue(name, Integer.class);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Message<Integer> m = receiveOne(again);
            got.add(m.body());
            m.ack();
        }
        assertThat(got).containsExactly(5, 6, 7, 8, 9);
        assertThat(again.receive(Duration.ofMillis(200))).isEmpty();
    }

    @Test
    public void restart_unackedDeliveryIsRedelivered() {
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        queue.send("in flight");
        Message<String> first = receiveOne(queue);
        assertThat(first.attempt()).isEqualTo(1);

        reconnect(); // never acked

        Message<String> again = receiveOne(baton.queue(name, String.class));
        assertThat(again.body()).isEqualTo("in flight");
        assertThat(again.attempt()).as("the first delivery counts, restart or not").isEqualTo(2);
        again.ack();
    }

    @Test
    public void restart_attemptsOfNackedMessagesPersist() {
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        ConsumeOptions noBackoff = ConsumeOptions.builder().backoff(io.baton.Backoff.none()).maxAttempts(10).build();
        queue.send("flaky");
        receiveOne(queue, noBackoff).nack();
        receiveOne(queue, noBackoff).nack();

        reconnect();

        Message<String> m = receiveOne(baton.queue(name, String.class), noBackoff);
        assertThat(m.attempt()).as("attempts so far carry over").isEqualTo(3);
        m.ack();
    }

    @Test
    public void restart_delayedMessageIsStillDelayed() {
        assumeCapability(Capability.DELAYED_DELIVERY);
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        queue.send("later", SendOptions.builder().delay(Duration.ofSeconds(2)).build());
        long sentAt = System.nanoTime();

        reconnect();

        Queue<String> again = baton.queue(name, String.class);
        assertThat(again.receive(Duration.ofMillis(300))).as("not before its delay").isEmpty();
        Message<String> m = receiveOne(again);
        assertThat(elapsedMillis(sentAt)).isGreaterThanOrEqualTo(1_900);
        m.ack();
    }

    @Test
    public void restart_dedupeWindowHoldsAcrossIt() {
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        SendOptions once = SendOptions.builder().id("order-17").build();
        queue.send("first", once);
        receiveOne(queue).ack(); // even acked, its id is remembered

        reconnect();

        Queue<String> again = baton.queue(name, String.class);
        again.send("retried", once);
        again.send("other", SendOptions.builder().id("order-18").build());
        Message<String> m = receiveOne(again);
        assertThat(m.body()).isEqualTo("other");
        m.ack();
        assertThat(again.receive(Duration.ofMillis(200))).isEmpty();
    }

    @Test
    public void restart_keyOrderHoldsAcrossIt() {
        assumeCapability(Capability.KEY_ORDER);
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        for (int i = 0; i < 5; i++) queue.send("k" + i, SendOptions.withKey("k"));
        Message<String> first = receiveOne(queue);
        assertThat(first.body()).isEqualTo("k0");

        reconnect(); // k0 never acked: it must come first again, and alone

        Queue<String> again = baton.queue(name, String.class);
        Message<String> redelivered = receiveOne(again);
        assertThat(redelivered.body()).isEqualTo("k0");
        assertThat(again.receive(Duration.ofMillis(200))).as("k1 waits for k0's ack").isEmpty();
        redelivered.ack();
        for (int i = 1; i < 5; i++) {
            Message<String> m = receiveOne(again);
            assertThat(m.body()).isEqualTo("k" + i);
            m.ack();
        }
    }

    @Test
    public void restart_queueKeepsItsOptions() {
        String name = queueName();
        baton.queue(name, String.class, QueueOptions.builder().maxLength(2).overflow(Overflow.REJECT).build()).send("a");

        reconnect();

        Queue<String> again = baton.queue(name, String.class); // asked without options: keeps the stored ones
        again.send("b");
        assertThatThrownBy(() -> again.send("c")).isInstanceOf(QueueFullException.class);
    }

    @Test
    public void restart_deadLettersSurvive() {
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        queue.send("poison");
        receiveOne(queue, ConsumeOptions.builder().maxAttempts(1).build()).nack(new IllegalStateException("bad input"));

        reconnect();

        Message<String> dead = receiveOne(baton.queue(name + Headers.DLQ_SUFFIX, String.class));
        assertThat(dead.body()).isEqualTo("poison");
        assertThat(dead.headers()).containsEntry(Headers.DLQ_SOURCE, name);
        assertThat(dead.headers().get(Headers.DLQ_REASON)).contains("bad input");
        dead.ack();
        assertThat(baton.queue(name, String.class).receive(Duration.ofMillis(200))).isEmpty();
    }

    // ---- topics ----------------------------------------------------------------------------------

    @Test
    public void restart_durableSubscription_getsWhatWasPublishedWhileItWasAway() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        String subject = subject();
        String name = uniqueName("d");
        Recorder<Integer> firstRun = new Recorder<>();
        Subscription first = baton.topic(subject, Integer.class).subscribe(firstRun::add, SubscribeOptions.durable(name));
        Topic<Integer> topic = baton.topic(subject, Integer.class);
        IntStream.range(0, 5).forEach(topic::publish);
        firstRun.awaitSize(5);
        first.close();
        IntStream.range(5, 10).forEach(topic::publish); // nobody listening

        reconnect();

        Topic<Integer> again = baton.topic(subject, Integer.class);
        IntStream.range(10, 15).forEach(again::publish);
        Recorder<Integer> secondRun = new Recorder<>();
        again.subscribe(secondRun::add, SubscribeOptions.durable(name));
        assertThat(secondRun.awaitSize(10)).containsExactlyElementsOf(IntStream.range(5, 15).boxed().toList());
        holdsFor(Duration.ofMillis(200), () -> secondRun.size() == 10);
        assertThat(firstRun.items()).containsExactlyElementsOf(QueueTck.range(5));
    }

    @Test
    public void restart_historyReplaysFromEarliest_andSequencesGoOn() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS, Capability.REPLAY);
        String subject = subject();
        Topic<Integer> topic = baton.topic(subject, Integer.class);
        IntStream.range(0, 5).forEach(topic::publish);

        reconnect();

        Recorder<Message<Integer>> replayed = new Recorder<>();
        Topic<Integer> again = baton.topic(subject, Integer.class);
        again.subscribeMessages(replayed::add, SubscribeOptions.builder().durable(uniqueName("d")).start(StartPosition.EARLIEST).build());
        List<Message<Integer>> history = replayed.awaitSize(5);
        assertThat(history).extracting(Message::body).containsExactly(0, 1, 2, 3, 4);
        assertThat(history).extracting(Message::sequence).isSorted().doesNotHaveDuplicates();

        again.publish(5);
        Message<Integer> next = replayed.awaitSize(6).get(5);
        assertThat(next.body()).isEqualTo(5);
        assertThat(next.sequence()).as("sequence numbers never go back after a restart").isGreaterThan(history.get(4).sequence());
    }

    @Test
    public void restart_durableFromSequenceOrTime_startsThereAfterIt() throws Exception {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS, Capability.REPLAY);
        String subject = subject();
        Topic<Integer> topic = baton.topic(subject, Integer.class);
        Recorder<Message<Integer>> probe = new Recorder<>();
        topic.subscribeMessages(probe::add, SubscribeOptions.builder().durable(uniqueName("probe")).start(StartPosition.EARLIEST).build());
        IntStream.range(0, 3).forEach(topic::publish);
        probe.awaitSize(3);
        Thread.sleep(30); // a clear gap in the timestamps around the cut, not a wait for anything
        Instant cut = Instant.now();
        Thread.sleep(30);
        IntStream.range(3, 6).forEach(topic::publish);
        long seqOfTwo = probe.awaitSize(6).get(2).sequence();

        reconnect();

        Topic<Integer> again = baton.topic(subject, Integer.class);
        Recorder<Integer> fromSequence = new Recorder<>();
        again.subscribe(fromSequence::add, SubscribeOptions.builder().durable(uniqueName("s")).start(StartPosition.sequence(seqOfTwo)).build());
        Recorder<Integer> fromTime = new Recorder<>();
        again.subscribe(fromTime::add, SubscribeOptions.builder().durable(uniqueName("t")).start(StartPosition.time(cut)).build());
        assertThat(fromSequence.awaitSize(4)).containsExactly(2, 3, 4, 5);
        assertThat(fromTime.awaitSize(3)).containsExactly(3, 4, 5);
    }

    @Test
    public void restart_durableSubscriptionKeepsItsPattern() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        String name = uniqueName("d");
        baton.topic(subject(), String.class).subscribe(s -> { }, SubscribeOptions.durable(name));

        reconnect();

        assertThatThrownBy(() -> baton.topic(subject(), String.class).subscribe(s -> { }, SubscribeOptions.durable(name)))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining(name);
    }
}
