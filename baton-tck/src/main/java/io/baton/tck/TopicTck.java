package io.baton.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.Backoff;
import io.baton.ConsumeOptions;
import io.baton.Headers;
import io.baton.InvalidNameException;
import io.baton.Message;
import io.baton.PublishOptions;
import io.baton.SlowConsumerException;
import io.baton.StartPosition;
import io.baton.SubscribeOptions;
import io.baton.Subscription;
import io.baton.Topic;
import io.baton.spi.Capability;
import io.baton.tck.Fixtures.Order;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The topic contract: every matching subscriber gets a copy; {@code *} and {@code >} patterns;
 * ephemeral subscriptions are at most once and cut off when slow; durable subscriptions are at
 * least once, replay from a start position, resume, and share their messages among a group.
 */
public abstract class TopicTck extends BackendTck {

    @BeforeEach
    public void requireTopics() {
        assumeCapability(Capability.TOPICS);
    }

    // ---- ephemeral ----------------------------------------------------------------------------

    @Test
    public void publish_everySubscriberGetsACopy_inPublishOrder() {
        Topic<Integer> topic = baton.topic(subject() + ".prices", Integer.class);
        List<Recorder<Integer>> subscribers = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            Recorder<Integer> recorder = new Recorder<>();
            subscribers.add(recorder);
            topic.subscribe(recorder::add);
        }

        IntStream.range(0, 50).forEach(topic::publish);

        for (Recorder<Integer> subscriber : subscribers) {
            assertThat(subscriber.awaitSize(50)).containsExactlyElementsOf(QueueTck.range(50));
        }
    }

    @Test
    public void publish_record_arrivesWithSubjectHeadersAndId() {
        String subject = subject() + ".orders.created";
        Topic<Order> topic = baton.topic(subject, Order.class);
        Recorder<Message<Order>> received = new Recorder<>();
        topic.subscribeMessages(received::add, SubscribeOptions.defaults());
        Order order = Fixtures.order("o-9");

        topic.publish(order, new PublishOptions(Map.of("trace", "xyz"), "publish-1"));

        Message<Order> message = received.awaitSize(1).get(0);
        assertThat(message.body()).isEqualTo(order);
        assertThat(message.subject()).isEqualTo(subject);
        assertThat(message.headers()).containsEntry("trace", "xyz");
        assertThat(message.id()).isEqualTo("publish-1");
    }

    @Test
    public void subscribe_withWildcards_matchesAsNatsDoes() {
        String root = subject();
        List<String> patterns = List.of(".*.created", ".eu.>", ".>", ".eu.*", ".eu.created");
        Map<String, Recorder<String>> byPattern = new ConcurrentHashMap<>();
        for (String pattern : patterns) {
            Recorder<String> recorder = new Recorder<>();
            byPattern.put(pattern, recorder);
            baton.topic(root + pattern, String.class).subscribeMessages(
                    m -> recorder.add(m.subject().substring(root.length())), SubscribeOptions.defaults());
        }

        for (String subject : List.of(".eu.created", ".us.created", ".eu.created.late", ".eu", ".created")) {
            baton.topic(root + subject, String.class).publish(subject);
        }
        // Every pattern matches this last one; subscribers see messages in order, so once it
        // arrived, everything published before it arrived too.
        baton.topic(root + ".eu.created", String.class).publish("end");
        byPattern.values().forEach(recorder -> recorder.awaitSize(1));
        for (Recorder<String> recorder : byPattern.values()) {
            eventually().until(() -> recorder.items().stream().filter(".eu.created"::equals).count() == 2);
        }

        assertThat(byPattern.get(".*.created").items()).containsExactly(".eu.created", ".us.created", ".eu.created");
        assertThat(byPattern.get(".eu.>").items()).containsExactly(".eu.created", ".eu.created.late", ".eu.created");
        assertThat(byPattern.get(".>").items())
                .containsExactly(".eu.created", ".us.created", ".eu.created.late", ".eu", ".created", ".eu.created");
        assertThat(byPattern.get(".eu.*").items()).containsExactly(".eu.created", ".eu.created");
        assertThat(byPattern.get(".eu.created").items()).containsExactly(".eu.created", ".eu.created");
    }

    @Test
    public void publish_toAPattern_throwsInvalidNameException() {
        String root = subject();

        assertThatThrownBy(() -> baton.topic(root + ".*", String.class).publish("x"))
                .isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> baton.topic(root + ".>", String.class).publish("x"))
                .isInstanceOf(InvalidNameException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a..b", "a.>.b", "a.b*", "a.*b", ">a", "with space", ".a", "a."})
    public void topic_malformedSubjectOrPattern_throwsInvalidNameException(String bad) {
        assertThatThrownBy(() -> baton.topic(bad, String.class))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining(bad);
    }

    @Test
    public void publish_nullBody_throwsNullPointerException() {
        Topic<String> topic = baton.topic(subject(), String.class);

        assertThatThrownBy(() -> topic.publish(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    public void subscribe_ephemeral_seesOnlyMessagesPublishedAfterSubscribing() {
        Topic<String> topic = baton.topic(subject(), String.class);
        topic.publish("before");
        Recorder<String> received = new Recorder<>();
        topic.subscribe(received::add);

        topic.publish("after-1");
        topic.publish("after-2");

        assertThat(received.awaitContains("after-2")).containsExactly("after-1", "after-2");
    }

    @Test
    public void subscribe_ephemeralHandlerThrows_isNotRedelivered_andTheSubscriptionGoesOn() {
        Topic<String> topic = baton.topic(subject(), String.class);
        Recorder<String> seen = new Recorder<>();
        topic.subscribe(s -> {
            seen.add(s);
            if (s.equals("bad")) {
                throw new IllegalStateException("handler failed");
            }
        });

        topic.publish("bad");
        topic.publish("good");

        assertThat(seen.awaitContains("good")).containsExactly("bad", "good");
        holdsFor(Duration.ofMillis(150), () -> seen.size() == 2);
    }

    @Test
    public void ephemeralMessage_ackNackAndExtend_doNothing() {
        Topic<String> topic = baton.topic(subject(), String.class);
        Recorder<String> seen = new Recorder<>();
        Recorder<Throwable> errors = new Recorder<>();
        topic.subscribeMessages(m -> {
            seen.add(m.body() + "#" + m.attempt());
            try {
                m.nack();
                m.ack();
                m.extend(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }, SubscribeOptions.defaults());

        topic.publish("once");

        assertThat(seen.awaitSize(1)).containsExactly("once#1");
        holdsFor(Duration.ofMillis(150), () -> seen.size() == 1);
        assertThat(errors.items()).isEmpty();
    }

    @Test
    public void subscription_close_stopsDelivery() {
        Topic<String> topic = baton.topic(subject(), String.class);
        Recorder<String> closing = new Recorder<>();
        Recorder<String> staying = new Recorder<>();
        Subscription toClose = topic.subscribe(closing::add);
        topic.subscribe(staying::add);
        topic.publish("one");
        closing.awaitSize(1);

        toClose.close();
        topic.publish("two");

        staying.awaitContains("two");
        assertThat(toClose.isActive()).isFalse();
        assertThat(toClose.closed()).isCompleted();
        holdsFor(Duration.ofMillis(100), () -> closing.size() == 1);
    }

    @Test
    public void subscribe_slowEphemeralSubscriber_isCutOff_whileOthersGetEverything_andPublishNeverBlocks() throws Exception {
        Topic<Integer> topic = baton.topic(subject(), Integer.class);
        CountDownLatch gate = gate();
        Recorder<Integer> slowGot = new Recorder<>();
        Subscription slow = topic.subscribe(i -> {
            slowGot.add(i);
            gate.await();
        }, SubscribeOptions.builder().maxPending(5).build());
        Recorder<Integer> fastGot = new Recorder<>();
        Subscription fast = topic.subscribe(fastGot::add);
        int count = 200;

        // The slow handler stays parked for the whole publishing: a publish that waited for it
        // would never finish.
        CompletableFuture<Void> publishing = async(() -> {
            IntStream.range(0, count).forEach(topic::publish);
            return null;
        });
        publishing.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(fastGot.awaitSize(count)).containsExactlyElementsOf(QueueTck.range(count));
        gate.countDown();
        eventually().until(() -> slow.closed().isDone());
        assertThatThrownBy(() -> slow.closed().join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(SlowConsumerException.class);
        assertThat(slow.isActive()).isFalse();
        assertThat(slowGot.size()).as("messages the cut-off subscriber saw").isLessThan(count);
        assertThat(fast.isActive()).isTrue();
        topic.publish(count);
        fastGot.awaitContains(count);
    }

    // ---- durable ------------------------------------------------------------------------------

    @Test
    public void durable_fromNew_seesOnlyMessagesPublishedAfterItWasCreated() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        Topic<String> topic = baton.topic(subject(), String.class);
        topic.publish("old");
        Recorder<String> received = new Recorder<>();
        topic.subscribe(received::add, SubscribeOptions.builder().durable(uniqueName("d")).start(StartPosition.NEW).build());

        topic.publish("new-1");
        topic.publish("new-2");

        assertThat(received.awaitContains("new-2")).containsExactly("new-1", "new-2");
    }

    @Test
    public void durable_fromEarliest_replaysTheHistory() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS, Capability.REPLAY);
        Topic<Integer> topic = baton.topic(subject(), Integer.class);
        IntStream.range(0, 10).forEach(topic::publish);

        Recorder<Integer> received = new Recorder<>();
        topic.subscribe(received::add, SubscribeOptions.builder().durable(uniqueName("d")).start(StartPosition.EARLIEST).build());
        topic.publish(10);

        assertThat(received.awaitSize(11)).containsExactlyElementsOf(QueueTck.range(11));
    }

    @Test
    public void durable_fromSequence_startsAtThatMessage() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS, Capability.REPLAY);
        Topic<Integer> topic = baton.topic(subject(), Integer.class);
        IntStream.range(0, 10).forEach(topic::publish);
        Recorder<Message<Integer>> probe = new Recorder<>();
        topic.subscribeMessages(probe::add, SubscribeOptions.builder().durable(uniqueName("d")).start(StartPosition.EARLIEST).build());
        List<Message<Integer>> all = probe.awaitSize(10);
        long[] sequences = all.stream().mapToLong(Message::sequence).toArray();
        assertThat(sequences).as("sequences in publish order").isSorted().doesNotHaveDuplicates();
        assertThat(all.get(5).body()).isEqualTo(5);

        Recorder<Integer> fromFive = new Recorder<>();
        topic.subscribe(fromFive::add, SubscribeOptions.builder().durable(uniqueName("d"))
                .start(StartPosition.sequence(all.get(5).sequence())).build());

        assertThat(fromFive.awaitSize(5)).containsExactly(5, 6, 7, 8, 9);
        holdsFor(Duration.ofMillis(100), () -> fromFive.size() == 5);
    }

    @Test
    public void durable_fromTime_startsAtTheFirstMessagePublishedAtOrAfterIt() throws Exception {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS, Capability.REPLAY);
        Topic<Integer> topic = baton.topic(subject(), Integer.class);
        IntStream.range(0, 5).forEach(topic::publish);
        Thread.sleep(30); // a clear gap in the timestamps, not a wait for anything
        Instant start = Instant.now();
        Thread.sleep(30);
        IntStream.range(5, 10).forEach(topic::publish);

        Recorder<Integer> received = new Recorder<>();
        topic.subscribe(received::add, SubscribeOptions.builder().durable(uniqueName("d")).start(StartPosition.time(start)).build());

        assertThat(received.awaitSize(5)).containsExactly(5, 6, 7, 8, 9);
        holdsFor(Duration.ofMillis(100), () -> received.size() == 5);
    }

    @Test
    public void durable_resubscribingUnderItsName_resumesWhereItStopped() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        Topic<Integer> topic = baton.topic(subject(), Integer.class);
        String name = uniqueName("d");
        Recorder<Integer> firstRun = new Recorder<>();
        Subscription first = topic.subscribe(firstRun::add, SubscribeOptions.builder().durable(name).build());
        IntStream.range(0, 10).forEach(topic::publish);
        firstRun.awaitSize(10);
        first.close();

        IntStream.range(10, 20).forEach(topic::publish); // nobody listening
        Recorder<Integer> secondRun = new Recorder<>();
        // The start position is ignored for an existing subscription: it resumes.
        topic.subscribe(secondRun::add, SubscribeOptions.builder().durable(name).start(StartPosition.NEW).build());

        assertThat(secondRun.awaitSize(10)).containsExactlyElementsOf(IntStream.range(10, 20).boxed().toList());
        // Messages handled and acked before the graceful close are not delivered again.
        assertThat(firstRun.items()).containsExactlyElementsOf(QueueTck.range(10));
    }

    @Test
    public void durable_afterReconnect_resumesWhereItStopped() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS, Capability.DURABLE);
        String subject = subject();
        String name = uniqueName("d");
        Recorder<Integer> firstRun = new Recorder<>();
        baton.topic(subject, Integer.class).subscribe(firstRun::add, SubscribeOptions.durable(name));
        IntStream.range(0, 5).forEach(baton.topic(subject, Integer.class)::publish);
        firstRun.awaitSize(5);

        reconnect();
        Topic<Integer> topic = baton.topic(subject, Integer.class);
        IntStream.range(5, 10).forEach(topic::publish);
        Recorder<Integer> secondRun = new Recorder<>();
        topic.subscribe(secondRun::add, SubscribeOptions.durable(name));

        assertThat(secondRun.awaitSize(5)).containsExactly(5, 6, 7, 8, 9);
    }

    @Test
    public void durable_membersOfOneName_shareItsMessages() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        Topic<Integer> topic = baton.topic(subject(), Integer.class);
        String group = uniqueName("g");
        Map<Integer, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        Set<Integer> membersThatWorked = ConcurrentHashMap.newKeySet();
        for (int member = 0; member < 2; member++) {
            int id = member;
            topic.subscribe(i -> {
                deliveries.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
                membersThatWorked.add(id);
                Thread.sleep(2);
            }, SubscribeOptions.durable(group));
        }
        int count = 100;

        IntStream.range(0, count).forEach(topic::publish);

        eventually().until(() -> deliveries.size() == count);
        holdsFor(Duration.ofMillis(200), () -> deliveries.values().stream().mapToInt(AtomicInteger::get).sum() == count);
        assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(QueueTck.range(count));
        assertThat(deliveries.values()).allSatisfy(n -> assertThat(n.get()).as("deliveries of one message").isOne());
        assertThat(membersThatWorked).as("members that got messages").containsExactlyInAnyOrder(0, 1);
    }

    @Test
    public void durable_distinctPublishesSharingAnId_areAllDelivered() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        Topic<String> topic = baton.topic(subject(), String.class);
        java.util.concurrent.ConcurrentLinkedQueue<String> got = new java.util.concurrent.ConcurrentLinkedQueue<>();
        topic.subscribe(got::add, SubscribeOptions.durable(uniqueName("d")));

        topic.publish("created", new io.baton.PublishOptions(Map.of(), "order-42"));
        topic.publish("shipped", new io.baton.PublishOptions(Map.of(), "order-42"));

        eventually().until(() -> got.size() == 2);
        assertThat(got).containsExactly("created", "shipped");
    }

    @Test
    public void durable_whenHandlerThrows_redeliversWithAttemptPlusOne() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        Topic<String> topic = baton.topic(subject(), String.class);
        Recorder<String> attempts = new Recorder<>();
        topic.subscribeMessages(m -> {
            attempts.add(m.body() + "#" + m.attempt());
            if (m.attempt() == 1) {
                throw new IllegalStateException("first attempt fails");
            }
        }, SubscribeOptions.builder().durable(uniqueName("d")).consume(FAST_RETRY).build());

        topic.publish("event");

        assertThat(attempts.awaitSize(2)).containsExactly("event#1", "event#2");
        holdsFor(Duration.ofMillis(100), () -> attempts.size() == 2);
    }

    @Test
    public void durable_afterMaxAttempts_deadLettersToItsNameDotDlq() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        Topic<String> topic = baton.topic(subject(), String.class);
        String name = uniqueName("d");
        topic.subscribe(s -> {
            throw new IllegalArgumentException("cannot handle " + s);
        }, SubscribeOptions.builder().durable(name)
                .consume(ConsumeOptions.builder().maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(10))).build()).build());

        topic.publish("poison");

        Message<String> dead = receiveOne(baton.queue(name + Headers.DLQ_SUFFIX, String.class));
        assertThat(dead.body()).isEqualTo("poison");
        assertThat(dead.headers())
                .containsEntry(Headers.DLQ_SOURCE, name)
                .containsEntry(Headers.DLQ_ATTEMPTS, "2")
                .containsEntry(Headers.DLQ_ERROR_TYPE, IllegalArgumentException.class.getName());
        assertThat(dead.headers().get(Headers.DLQ_REASON)).contains("cannot handle poison");
    }

    @Test
    public void durable_sameNameWithAnotherPattern_throwsInvalidNameException() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        String name = uniqueName("d");
        baton.topic(subject(), String.class).subscribe(s -> { }, SubscribeOptions.durable(name));

        assertThatThrownBy(() -> baton.topic(subject(), String.class).subscribe(s -> { }, SubscribeOptions.durable(name)))
                .isInstanceOf(InvalidNameException.class);
    }

    @Test
    public void durable_withWildcardPattern_receivesEveryMatchingSubject() {
        assumeCapability(Capability.DURABLE_SUBSCRIPTIONS);
        String root = subject();
        Recorder<String> received = new Recorder<>();
        baton.topic(root + ".*.created", String.class).subscribeMessages(
                m -> received.add(m.subject().substring(root.length())), SubscribeOptions.durable(uniqueName("d")));

        baton.topic(root + ".eu.created", String.class).publish("a");
        baton.topic(root + ".eu.deleted", String.class).publish("b");
        baton.topic(root + ".us.created", String.class).publish("c");

        assertThat(new HashSet<>(received.awaitSize(2))).containsExactlyInAnyOrder(".eu.created", ".us.created");
        holdsFor(Duration.ofMillis(100), () -> received.size() == 2);
    }
}
