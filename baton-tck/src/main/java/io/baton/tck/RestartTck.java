package io.baton.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.ConsumeOptions;
import io.baton.Headers;
import io.baton.Message;
import io.baton.Overflow;
import io.baton.Queue;
import io.baton.QueueFullException;
import io.baton.QueueOptions;
import io.baton.SendOptions;
import io.baton.spi.Capability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
}
