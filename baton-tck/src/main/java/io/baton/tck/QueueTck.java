package io.baton.tck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.Backoff;
import io.baton.CodecException;
import io.baton.ConsumeOptions;
import io.baton.Headers;
import io.baton.InvalidNameException;
import io.baton.Message;
import io.baton.Overflow;
import io.baton.PayloadTooLargeException;
import io.baton.Queue;
import io.baton.QueueFullException;
import io.baton.QueueOptions;
import io.baton.QueueStats;
import io.baton.SendOptions;
import io.baton.Subscription;
import io.baton.UnsupportedCapabilityException;
import io.baton.spi.Capability;
import io.baton.tck.Fixtures.Keyed;
import io.baton.tck.Fixtures.Order;
import io.baton.tck.Fixtures.Unencodable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The queue contract: ordered, acknowledged hand-off to one of many competing consumers, at least
 * once, redelivered on failure, dead-lettered when poison; attempt-scoped acks, leases, delays,
 * dedupe, key-ordered parallelism and bounded queues.
 */
public abstract class QueueTck extends BackendTck {

    private static final ConsumeOptions SHORT_LEASE = ConsumeOptions.builder()
            .ackTimeout(Duration.ofMillis(200)).backoff(Backoff.fixed(Duration.ofMillis(10))).maxAttempts(10).build();

    @BeforeEach
    public void requireQueues() {
        assumeCapability(Capability.QUEUES);
    }

    // ---- bodies and metadata ------------------------------------------------------------------

    @Test
    public void send_record_roundTripsAsJsonWithItsMetadata() {
        String name = queueName();
        Queue<Order> queue = baton.queue(name, Order.class);
        Order order = Fixtures.order("o-1");

        String key = capabilities().contains(Capability.KEY_ORDER) ? "customer-7" : null; // a key asks for key order
        long before = System.currentTimeMillis();
        queue.send(order, SendOptions.builder().key(key).header("trace", "abc-123").build());
        long after = System.currentTimeMillis();

        Message<Order> message = receiveOne(queue);
        assertThat(message.body()).isEqualTo(order);
        assertThat(message.subject()).isEqualTo(name);
        assertThat(message.key()).isEqualTo(key);
        assertThat(message.headers()).containsEntry("trace", "abc-123");
        assertThat(message.id()).isNotBlank();
        assertThat(message.attempt()).isEqualTo(1);
        assertThat(message.sequence()).isPositive();
        // A second of slack for backends that stamp on a server with its own clock.
        assertThat(message.timestamp().toEpochMilli()).isBetween(before - 1000, after + 1000);
        message.ack();
        assertThat(queue.receive(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    public void send_byteArray_arrivesUntouched() {
        byte[] bytes = {0, 1, 2, (byte) 0xFF, (byte) 0xFE, '{', '"', 0x7F, (byte) 0x80, 0};
        Queue<byte[]> queue = baton.queue(queueName(), byte[].class);

        queue.send(bytes.clone());

        assertThat(receiveOne(queue).body()).containsExactly(bytes);
    }

    @Test
    public void send_string_travelsAsPlainUtf8NotAsJson() {
        String name = queueName();
        String text = "héllo \"wörld\" ✓ 𝄞";
        baton.queue(name, String.class).send(text);
        baton.queue(name, byte[].class).send("raw bytes".getBytes(UTF_8));

        Message<byte[]> asBytes = receiveOne(baton.queue(name, byte[].class));
        assertThat(asBytes.body()).containsExactly(text.getBytes(UTF_8));
        asBytes.ack();
        assertThat(receiveOne(baton.queue(name, String.class)).body()).isEqualTo("raw bytes");
    }

    @Test
    public void sendAsync_completes_andTheMessageIsDelivered() throws Exception {
        Queue<String> queue = baton.queue(queueName(), String.class);

        queue.sendAsync("a").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        queue.sendAsync("b", SendOptions.builder().header("h", "v").build()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        Message<String> a = receiveOne(queue);
        a.ack();
        Message<String> b = receiveOne(queue);
        assertThat(List.of(a.body(), b.body())).containsExactly("a", "b");
        assertThat(b.headers()).containsEntry("h", "v");
    }

    @Test
    public void send_askingForWhatTheBackendDoesNotOffer_isRefused_andStoresNothing() {
        Set<Capability> offered = capabilities();
        Assumptions.assumeFalse(offered.containsAll(EnumSet.of(Capability.KEY_ORDER, Capability.DELAYED_DELIVERY, Capability.DEDUPE)),
                "the backend offers key order, delays and dedupe");
        Queue<String> queue = baton.queue(queueName(), String.class);
        if (!offered.contains(Capability.KEY_ORDER)) {
            assertThatThrownBy(() -> queue.send("keyed", SendOptions.withKey("k")))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("KEY_ORDER");
        }
        if (!offered.contains(Capability.DELAYED_DELIVERY)) {
            assertThatThrownBy(() -> queue.send("later", SendOptions.builder().delay(Duration.ofSeconds(1)).build()))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("DELAYED_DELIVERY");
        }
        if (!offered.contains(Capability.DEDUPE)) {
            assertThatThrownBy(() -> queue.send("once", SendOptions.builder().id("once").build()))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("DEDUPE");
        }
        assertThat(queue.receive(Duration.ofMillis(300))).as("nothing refused was stored").isEmpty();
    }

    @Test
    public void send_nullBody_throwsNullPointerException() {
        Queue<String> queue = baton.queue(queueName(), String.class);

        assertThatThrownBy(() -> queue.send(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> queue.send(null, SendOptions.defaults())).isInstanceOf(NullPointerException.class);
        assertThat(queue.receive(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    public void send_bodyOverThePayloadLimit_throwsPayloadTooLargeException_andStoresNothing() {
        int limit = connectOptions().maxPayloadBytes();
        Queue<byte[]> queue = baton.queue(queueName(), byte[].class);

        assertThatThrownBy(() -> queue.send(new byte[limit + 1]))
                .isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining(Integer.toString(limit + 1))
                .hasMessageContaining(Integer.toString(limit));
        assertThatThrownBy(() -> queue.sendAsync(new byte[limit + 1])) // a bad argument: thrown, not a failed future
                .isInstanceOf(PayloadTooLargeException.class);
        queue.send(new byte[limit]); // exactly at the limit is fine

        Message<byte[]> m = receiveOne(queue);
        assertThat(m.body()).hasSize(limit);
        m.ack();
        assertThat(queue.receive(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    public void send_bodyTheCodecCannotEncode_throwsCodecException() {
        Queue<Unencodable> queue = baton.queue(queueName(), Unencodable.class);

        assertThatThrownBy(() -> queue.send(new Unencodable())).isInstanceOf(CodecException.class);
        assertThat(queue.stats().sent()).isZero();
    }

    @Test
    public void consume_bodyThatCannotBeDecoded_isDeadLetteredWithTheReason_andTheQueueGoesOn() {
        String name = queueName();
        baton.queue(name, byte[].class).send("garbage, not json".getBytes(UTF_8));
        Order good = Fixtures.order("after-the-garbage");
        Queue<Order> orders = baton.queue(name, Order.class);
        orders.send(good);

        Recorder<Order> consumed = new Recorder<>();
        orders.consume(consumed::add, FAST_RETRY);

        assertThat(consumed.awaitSize(1)).containsExactly(good);
        Message<byte[]> dead = receiveOne(baton.queue(name + Headers.DLQ_SUFFIX, byte[].class));
        assertThat(dead.body()).containsExactly("garbage, not json".getBytes(UTF_8));
        assertThat(dead.headers().get(Headers.DLQ_REASON)).containsIgnoringCase("decod");
        assertThat(dead.headers()).containsEntry(Headers.DLQ_SOURCE, name);
        assertThat(consumed.items()).containsExactly(good);
    }

    // ---- names --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "a..b", "with space", "a.*", "a.>", "*", ">", ".a", "a.", "tab\there", "ünïcode", "a/b", "a:b"})
    public void queue_invalidName_throwsInvalidNameExceptionNamingIt(String bad) {
        assertThatThrownBy(() -> baton.queue(bad, String.class))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining(bad.isEmpty() ? "" : bad);
    }

    @Test
    public void queue_nameLongerThan255Characters_throwsInvalidNameException() {
        String prefix = queueName() + ".";
        String longest = prefix + "x".repeat(255 - prefix.length());
        String tooLong = longest + "x";

        baton.queue(longest, String.class).send("fits");
        assertThat(receiveOne(baton.queue(longest, String.class)).body()).isEqualTo("fits");
        assertThatThrownBy(() -> baton.queue(tooLong, String.class)).isInstanceOf(InvalidNameException.class);
    }

    @Test
    public void queue_validNames_areAccepted() {
        String name = queueName() + ".Orders-EU_1.created";

        baton.queue(name, String.class).send("ok");

        assertThat(receiveOne(baton.queue(name, String.class)).body()).isEqualTo("ok");
    }

    // ---- ordering and competing consumers -----------------------------------------------------

    @Test
    public void receive_returnsMessagesInSendOrder() {
        Queue<Integer> queue = baton.queue(queueName(), Integer.class);
        IntStream.range(0, 20).forEach(queue::send);

        List<Integer> received = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Message<Integer> message = receiveOne(queue);
            received.add(message.body());
            message.ack();
        }

        assertThat(received).containsExactlyElementsOf(range(20));
    }

    @Test
    public void consume_oneConsumer_receivesInSendOrder() {
        Queue<Integer> queue = baton.queue(queueName(), Integer.class);
        IntStream.range(0, 200).forEach(queue::send);

        Recorder<Integer> consumed = new Recorder<>();
        queue.consume(consumed::add);

        assertThat(consumed.awaitSize(200)).containsExactlyElementsOf(range(200));
    }

    @Test
    public void consume_competingConsumers_eachMessageProcessedExactlyOnce() {
        Queue<Integer> queue = baton.queue(queueName(), Integer.class);
        int count = 60;
        Map<Integer, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        for (int c = 0; c < 3; c++) {
            queue.consume(i -> {
                deliveries.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
                Thread.sleep(1);
            });
        }

        IntStream.range(0, count).forEach(queue::send);

        eventually().until(() -> deliveries.size() == count);
        eventually().untilAsserted(() -> assertThat(queue.stats().acked()).isEqualTo(count));
        assertThat(deliveries.keySet()).containsExactlyInAnyOrderElementsOf(range(count));
        assertThat(deliveries.values()).allSatisfy(n -> assertThat(n.get()).isOne());
        assertThat(queue.stats().redelivered()).isZero();
    }

    @Test
    public void consume_competingConsumers_anIdleConsumerTakesWhatABusyOneCannot() {
        Queue<String> queue = baton.queue(queueName(), String.class);
        CountDownLatch gate = gate();
        CountDownLatch firstIsBusy = new CountDownLatch(1);
        Map<String, Integer> handledBy = new ConcurrentHashMap<>();
        for (int c = 0; c < 3; c++) {
            int consumer = c;
            queue.consume(s -> {
                handledBy.put(s, consumer);
                if (s.equals("first")) {
                    firstIsBusy.countDown();
                    gate.await(); // busy until the second message was handled elsewhere
                }
            });
        }

        queue.send("first");
        awaitLatch(firstIsBusy, "first message being handled");
        queue.send("second");

        eventually().until(() -> handledBy.containsKey("second"));
        assertThat(handledBy.get("second")).as("consumer of the second message").isNotEqualTo(handledBy.get("first"));
        gate.countDown();
        eventually().untilAsserted(() -> assertThat(queue.stats().acked()).isEqualTo(2));
    }

    // ---- failure, redelivery, dead letters ----------------------------------------------------

    @Test
    public void consume_whenHandlerThrows_redeliversWithAttemptPlusOne() {
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        Recorder<Integer> attempts = new Recorder<>();
        Recorder<String> bodies = new Recorder<>();
        queue.consumeMessages(m -> {
            attempts.add(m.attempt());
            bodies.add(m.body());
            if (m.attempt() < 3) {
                throw new IllegalStateException("failing attempt " + m.attempt());
            }
        }, FAST_RETRY);

        queue.send("job");

        assertThat(attempts.awaitSize(3)).containsExactly(1, 2, 3);
        assertThat(bodies.items()).containsOnly("job");
        eventually().untilAsserted(() -> assertThat(queue.stats().acked()).isEqualTo(1));
        assertThat(queue.stats().redelivered()).isEqualTo(2);
        holdsFor(Duration.ofMillis(150), () -> attempts.size() == 3);
        assertThat(baton.queue(name + Headers.DLQ_SUFFIX, String.class).receive(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    public void consume_afterMaxAttempts_movesTheMessageToTheDeadLetterQueueWithWhy() {
        String name = queueName();
        Queue<Order> queue = baton.queue(name, Order.class);
        String reason = "boom-" + randomToken(8);
        AtomicInteger calls = new AtomicInteger();
        queue.consume(o -> {
            calls.incrementAndGet();
            throw new IllegalStateException(reason);
        }, FAST_RETRY.toBuilder().maxAttempts(3).build());
        Order order = Fixtures.order("poison");

        Instant before = Instant.now();
        queue.send(order, SendOptions.builder().header("trace", "t-1").build());

        Message<Order> dead = receiveOne(baton.queue(name + Headers.DLQ_SUFFIX, Order.class));
        assertThat(dead.body()).isEqualTo(order);
        assertThat(dead.headers())
                .containsEntry("trace", "t-1")
                .containsEntry(Headers.DLQ_ATTEMPTS, "3")
                .containsEntry(Headers.DLQ_SOURCE, name)
                .containsEntry(Headers.DLQ_ERROR_TYPE, IllegalStateException.class.getName());
        assertThat(dead.headers().get(Headers.DLQ_REASON)).contains(reason);
        assertThat(Instant.parse(dead.headers().get(Headers.DLQ_TIME)))
                .isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
        dead.ack();
        assertThat(calls.get()).isEqualTo(3);
        eventually().untilAsserted(() -> {
            QueueStats stats = queue.stats();
            assertThat(stats.waiting()).isZero();
            assertThat(stats.inFlight()).isZero();
        });
    }

    @Test
    public void nack_withErrorOnTheLastAttempt_deadLettersWithThatError() {
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        queue.send("job");

        Message<String> message = receiveOne(queue, ConsumeOptions.builder().maxAttempts(1).build());
        message.nack(new IOException("disk on fire"));

        Message<String> dead = receiveOne(baton.queue(name + Headers.DLQ_SUFFIX, String.class));
        assertThat(dead.body()).isEqualTo("job");
        assertThat(dead.headers().get(Headers.DLQ_REASON)).contains("disk on fire");
        assertThat(dead.headers())
                .containsEntry(Headers.DLQ_ERROR_TYPE, IOException.class.getName())
                .containsEntry(Headers.DLQ_ATTEMPTS, "1")
                .containsEntry(Headers.DLQ_SOURCE, name);
        assertThat(queue.receive(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    public void deadLetter_keepsTheTimestampOfTheSend() {
        String name = queueName();
        Queue<String> queue = baton.queue(name, String.class);
        queue.send("job");
        Message<String> message = receiveOne(queue, ConsumeOptions.builder().maxAttempts(1).build());
        Instant sent = message.timestamp();
        eventually().until(() -> Instant.now().isAfter(sent.plusMillis(1_500))); // the dead letter is made well after the send

        message.nack(new IOException("poison"));

        Message<String> dead = receiveOne(baton.queue(name + Headers.DLQ_SUFFIX, String.class));
        assertThat(dead.timestamp()).as("when the message was sent, not when it was dead-lettered").isEqualTo(sent);
        dead.ack();
    }

    @Test
    public void nack_redeliversWithAttemptPlusOne() {
        Queue<String> queue = baton.queue(queueName(), String.class);
        queue.send("job");

        Message<String> first = receiveOne(queue, FAST_RETRY);
        first.nack();
        Message<String> second = receiveOne(queue, FAST_RETRY);

        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.body()).isEqualTo("job");
        assertThat(second.id()).isEqualTo(first.id());
        second.ack();
        assertThat(queue.receive(Duration.ofMillis(100))).isEmpty();
    }

    // ---- leases and attempt-scoped acks -------------------------------------------------------

    @Test
    public void receive_whenLeaseExpires_redeliversWithAttemptPlusOne() {
        Queue<String> queue = baton.queue(queueName(), String.class);
        queue.send("job");

        long start = System.nanoTime();
        Message<String> first = receiveOne(queue, SHORT_LEASE);
        Message<String> second = receiveOne(queue, SHORT_LEASE);

        assertThat(elapsedMillis(start)).as("redelivered before the lease ran out").isGreaterThanOrEqualTo(150);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.body()).isEqualTo("job");
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.sequence()).isEqualTo(first.sequence());
        second.ack();
    }

    @Test
    public void ack_ofAnExpiredAttempt_doesNotRemoveTheRedeliveredMessage() {
        Queue<String> queue = baton.queue(queueName(), String.class);
        queue.send("job");
        Message<String> first = receiveOne(queue, SHORT_LEASE);
        Message<String> second = receiveOne(queue, SHORT_LEASE); // after the first lease expired
        assertThat(second.attempt()).isEqualTo(2);

        first.ack(); // late ack of attempt 1: must do nothing

        assertThat(first.extend(Duration.ofSeconds(1))).as("extend of a stale attempt").isFalse();
        assertThat(queue.stats().acked()).as("acked after a stale ack").isZero();
        // Attempt 2 still owns the message: its nack brings it back as attempt 3.
        second.nack();
        Message<String> third = receiveOne(queue, SHORT_LEASE);
        assertThat(third.attempt()).isEqualTo(3);
        assertThat(third.body()).isEqualTo("job");
        third.ack();
        third.ack(); // idempotent
        assertThat(queue.receive(Duration.ofMillis(300), SHORT_LEASE)).isEmpty();
        eventually().untilAsserted(() -> assertThat(queue.stats().acked()).isEqualTo(1));
    }

    @Test
    public void nack_ofAnExpiredAttempt_doesNotRedeliverAgain() {
        Queue<String> queue = baton.queue(queueName(), String.class);
        queue.send("job");
        Message<String> first = receiveOne(queue, SHORT_LEASE);
        Message<String> second = receiveOne(queue, SHORT_LEASE);

        first.nack(); // stale
        second.ack();

        assertThat(queue.receive(Duration.ofMillis(500), SHORT_LEASE)).isEmpty();
    }

    @Test
    public void extend_beforeTheLeaseExpires_keepsTheMessageFromRedelivery() throws Exception {
        assumeCapability(Capability.LEASE_EXTENSION);
        Queue<String> queue = baton.queue(queueName(), String.class);
        ConsumeOptions lease = ConsumeOptions.builder().ackTimeout(Duration.ofMillis(300)).build();
        queue.send("long job");
        Message<String> message = receiveOne(queue, lease);

        AtomicBoolean working = new AtomicBoolean(true);
        Recorder<Boolean> extensions = new Recorder<>();
        CompletableFuture<Void> extender = async(() -> {
            while (working.get()) {
                extensions.add(message.extend(Duration.ofMillis(300)));
                Thread.sleep(100);
            }
            return null;
        });
        Optional<Message<String>> stolen = queue.receive(Duration.ofMillis(1200), lease);
        working.set(false);
        extender.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(stolen).as("redelivered although the lease was extended").isEmpty();
        assertThat(extensions.items()).isNotEmpty().containsOnly(true);
        message.ack();
        assertThat(message.extend(Duration.ofSeconds(1))).as("extend after ack").isFalse();
        assertThat(queue.receive(Duration.ofMillis(500), lease)).isEmpty();
    }

    @Test
    public void extend_fromAHandlerRunningPastItsLease_keepsTheMessageFromRedelivery() {
        assumeCapability(Capability.LEASE_EXTENSION);
        Queue<String> queue = baton.queue(queueName(), String.class);
        Recorder<Integer> attempts = new Recorder<>();
        queue.consumeMessages(m -> {
            attempts.add(m.attempt());
            for (int i = 0; i < 15; i++) { // 1.5 s of work with a 300 ms lease
                Thread.sleep(100);
                m.extend(Duration.ofMillis(300));
            }
        }, ConsumeOptions.builder().ackTimeout(Duration.ofMillis(300)).concurrency(2).build());

        queue.send("long job");

        eventually().untilAsserted(() -> assertThat(queue.stats().acked()).isEqualTo(1));
        assertThat(attempts.items()).containsExactly(1);
    }

    @Test
    public void receive_onAnEmptyQueue_returnsEmptyAfterTheTimeout() {
        Queue<String> queue = baton.queue(queueName(), String.class);

        long start = System.nanoTime();
        Optional<Message<String>> message = queue.receive(Duration.ofMillis(300));
        long waited = elapsedMillis(start);

        assertThat(message).isEmpty();
        assertThat(waited).isBetween(250L, 3_000L);
    }

    @Test
    public void receive_whenAMessageArrivesWhileWaiting_returnsItAtOnce() throws Exception {
        Queue<String> queue = baton.queue(queueName(), String.class);
        long start = System.nanoTime();
        CompletableFuture<Optional<Message<String>>> pending = async(() -> queue.receive(Duration.ofSeconds(30)));
        Thread.sleep(100); // let the receive start waiting; the test holds either way

        queue.send("hello");

        Optional<Message<String>> message = pending.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(message).map(Message::body).contains("hello");
        assertThat(elapsedMillis(start)).as("woken by the send, not by the timeout").isLessThan(5_000);
    }

    @Test
    public void stats_countWaitingInFlightAckedAndRedelivered() {
        Queue<String> queue = baton.queue(queueName(), String.class);
        queue.send("a");
        queue.send("b");
        queue.send("c");
        eventually().untilAsserted(() -> assertThat(queue.stats())
                .extracting(QueueStats::waiting, QueueStats::inFlight, QueueStats::sent)
                .containsExactly(3L, 0L, 3L));

        Message<String> a = receiveOne(queue, FAST_RETRY);
        eventually().untilAsserted(() -> assertThat(queue.stats())
                .extracting(QueueStats::waiting, QueueStats::inFlight).containsExactly(2L, 1L));
        a.ack();
        eventually().untilAsserted(() -> assertThat(queue.stats())
                .extracting(QueueStats::inFlight, QueueStats::acked).containsExactly(0L, 1L));

        Message<String> b = receiveOne(queue, FAST_RETRY);
        Message<String> c = receiveOne(queue, FAST_RETRY);
        c.ack();
        b.nack();
        Message<String> bAgain = receiveOne(queue, FAST_RETRY);
        assertThat(bAgain.body()).isEqualTo("b");
        assertThat(bAgain.attempt()).isEqualTo(2);
        bAgain.ack();
        eventually().untilAsserted(() -> assertThat(queue.stats().redelivered()).isEqualTo(1));
    }

    // ---- delays and dedupe --------------------------------------------------------------------

    @Test
    public void send_withDelay_isNotDeliveredBeforeTheDelay_andDoesNotHoldBackOthers() {
        assumeCapability(Capability.DELAYED_DELIVERY);
        Queue<String> queue = baton.queue(queueName(), String.class);

        long start = System.nanoTime();
        queue.send("later", SendOptions.builder().delay(Duration.ofMillis(500)).build());
        eventually().untilAsserted(() -> assertThat(queue.stats().waiting()).as("a delayed message is waiting").isEqualTo(1));
        queue.send("now");

        Message<String> first = receiveOne(queue);
        assertThat(first.body()).isEqualTo("now");
        first.ack();
        Message<String> second = receiveOne(queue);
        assertThat(second.body()).isEqualTo("later");
        assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(480);
    }

    @Test
    public void send_withDeliverAt_isNotDeliveredBeforeThatInstant() {
        assumeCapability(Capability.DELAYED_DELIVERY);
        Queue<String> queue = baton.queue(queueName(), String.class);
        Instant at = Instant.now().plusMillis(400);

        queue.send("scheduled", SendOptions.builder().deliverAt(at).build());

        Message<String> message = receiveOne(queue);
        assertThat(message.body()).isEqualTo("scheduled");
        assertThat(Instant.now()).isAfterOrEqualTo(at.minusMillis(20));
    }

    @Test
    public void send_sameIdTwiceWithinTheWindow_storesOneCopy() {
        assumeCapability(Capability.DEDUPE);
        Queue<String> queue = baton.queue(queueName(), String.class);

        queue.send("first", SendOptions.builder().id("order-1").build());
        queue.send("retry", SendOptions.builder().id("order-1").build());
        queue.send("other", SendOptions.builder().id("order-2").build());

        Message<String> one = receiveOne(queue);
        assertThat(one.body()).isEqualTo("first");
        assertThat(one.id()).isEqualTo("order-1");
        one.ack();
        Message<String> two = receiveOne(queue);
        assertThat(two.body()).isEqualTo("other");
        assertThat(two.id()).isEqualTo("order-2");
        two.ack();
        assertThat(queue.receive(Duration.ofMillis(300))).isEmpty();
        eventually().untilAsserted(() -> assertThat(queue.stats())
                .extracting(QueueStats::sent, QueueStats::duplicates).containsExactly(2L, 1L));

        // The id is remembered for the window, not only while the message waits.
        queue.send("retry after consumption", SendOptions.builder().id("order-1").build());
        assertThat(queue.receive(Duration.ofMillis(300))).isEmpty();
        eventually().untilAsserted(() -> assertThat(queue.stats().duplicates()).isEqualTo(2));
    }

    // ---- key order ----------------------------------------------------------------------------

    @Test
    public void consume_withKeys_eachKeyInOrderOneAtATime_whileKeysRunInParallel() {
        assumeCapability(Capability.KEY_ORDER);
        Queue<Keyed> queue = baton.queue(queueName(), Keyed.class);
        int keys = 16;
        int perKey = 25;
        Map<String, Recorder<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> runningPerKey = new ConcurrentHashMap<>();
        Recorder<String> violations = new Recorder<>();
        ConcurrencyMeter meter = new ConcurrencyMeter();
        for (int k = 0; k < keys; k++) {
            seen.put("key" + k, new Recorder<>());
            runningPerKey.put("key" + k, new AtomicInteger());
        }
        queue.consume(m -> {
            meter.enter();
            try {
                if (runningPerKey.get(m.key()).incrementAndGet() > 1) {
                    violations.add(m.key() + " ran twice at once at " + m.seq());
                }
                seen.get(m.key()).add(m.seq());
                Thread.sleep(2);
                runningPerKey.get(m.key()).decrementAndGet();
            } finally {
                meter.exit();
            }
        }, ConsumeOptions.builder().concurrency(8).build());

        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                queue.send(new Keyed("key" + k, i), SendOptions.withKey("key" + k));
            }
        }

        for (Map.Entry<String, Recorder<Integer>> key : seen.entrySet()) {
            assertThat(key.getValue().awaitSize(perKey)).as(key.getKey()).containsExactlyElementsOf(range(perKey));
        }
        assertThat(violations.items()).isEmpty();
        assertThat(meter.max()).as("handlers at once").isBetween(2, 8);
    }

    @Test
    public void consume_withKeys_aBlockedKeyDoesNotHoldBackOtherKeys() {
        assumeCapability(Capability.KEY_ORDER);
        Queue<Keyed> queue = baton.queue(queueName(), Keyed.class);
        CountDownLatch otherKeyDone = new CountDownLatch(1);
        Recorder<String> order = new Recorder<>();
        queue.consume(m -> {
            if (m.key().equals("A") && m.seq() == 0) {
                // A0 finishes only once B0 ran: without parallel keys this waits for ever.
                boolean bRan = otherKeyDone.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                order.add("A0" + (bRan ? "" : " (B0 never ran while A0 was running)"));
                return;
            }
            order.add(m.key() + m.seq());
            if (m.key().equals("B")) {
                otherKeyDone.countDown();
            }
        }, ConsumeOptions.builder().concurrency(4).build());

        queue.send(new Keyed("A", 0), SendOptions.withKey("A"));
        queue.send(new Keyed("A", 1), SendOptions.withKey("A"));
        queue.send(new Keyed("B", 0), SendOptions.withKey("B"));

        assertThat(order.awaitSize(3)).containsExactly("B0", "A0", "A1");
    }

    @Test
    public void consume_withKey_aFailedMessageIsRetriedBeforeTheNextOfItsKey() {
        assumeCapability(Capability.KEY_ORDER);
        Queue<Keyed> queue = baton.queue(queueName(), Keyed.class);
        Recorder<String> handled = new Recorder<>();
        // A long backoff: if the key were not held during it, A1 would clearly overtake A0.
        queue.consumeMessages(m -> {
            handled.add(m.body().key() + m.body().seq() + "#" + m.attempt());
            if (m.body().seq() == 0 && m.attempt() == 1) {
                throw new IllegalStateException("first try of A0 fails");
            }
        }, ConsumeOptions.builder().concurrency(4).backoff(Backoff.fixed(Duration.ofMillis(300))).build());

        queue.send(new Keyed("A", 0), SendOptions.withKey("A"));
        queue.send(new Keyed("A", 1), SendOptions.withKey("A"));

        assertThat(handled.awaitSize(3)).containsExactly("A0#1", "A0#2", "A1#1");
    }

    // ---- bounded queues -----------------------------------------------------------------------

    @Test
    public void send_whenQueueFullAndOverflowReject_throwsQueueFullException() {
        assumeCapability(Capability.BOUNDED_QUEUES);
        Queue<Integer> queue = baton.queue(queueName(), Integer.class,
                QueueOptions.builder().maxLength(3).overflow(Overflow.REJECT).build());
        queue.send(1);
        queue.send(2);
        queue.send(3);

        assertThatThrownBy(() -> queue.send(4)).isInstanceOf(QueueFullException.class);
        eventually().untilAsserted(() -> assertThat(queue.stats().rejected()).isEqualTo(1));

        receiveOne(queue).ack(); // a delivered message no longer waits: room for one
        queue.send(5);
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Message<Integer> message = receiveOne(queue);
            rest.add(message.body());
            message.ack();
        }
        assertThat(rest).containsExactly(2, 3, 5);
    }

    @Test
    public void send_whenQueueBytesFullAndOverflowReject_throwsQueueFullException() {
        assumeCapability(Capability.BOUNDED_QUEUES);
        Queue<byte[]> queue = baton.queue(queueName(), byte[].class,
                QueueOptions.builder().maxBytes(100).overflow(Overflow.REJECT).build());
        queue.send(new byte[60]);

        assertThatThrownBy(() -> queue.send(new byte[60])).isInstanceOf(QueueFullException.class);
        queue.send(new byte[30]);
    }

    @Test
    public void send_whenQueueFullAndOverflowDropOldest_dropsTheOldestAndCountsIt() {
        assumeCapability(Capability.BOUNDED_QUEUES);
        Queue<Integer> queue = baton.queue(queueName(), Integer.class,
                QueueOptions.builder().maxLength(3).overflow(Overflow.DROP_OLDEST).build());

        for (int i = 1; i <= 5; i++) {
            queue.send(i);
        }

        eventually().untilAsserted(() -> assertThat(queue.stats())
                .extracting(QueueStats::dropped, QueueStats::waiting).containsExactly(2L, 3L));
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Message<Integer> message = receiveOne(queue);
            kept.add(message.body());
            message.ack();
        }
        assertThat(kept).containsExactly(3, 4, 5);
        assertThat(queue.receive(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    public void send_whenQueueFull_blocksUntilSpace() throws Exception {
        assumeCapability(Capability.BOUNDED_QUEUES);
        Queue<Integer> queue = baton.queue(queueName(), Integer.class,
                QueueOptions.builder().maxLength(2).overflow(Overflow.BLOCK).blockTimeout(TIMEOUT).build());
        queue.send(1);
        queue.send(2);

        CompletableFuture<Void> blocked = async(() -> {
            queue.send(3);
            return null;
        });
        holdsFor(Duration.ofMillis(300), () -> !blocked.isDone());

        Message<Integer> first = receiveOne(queue); // makes room
        blocked.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        first.ack();
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Message<Integer> message = receiveOne(queue);
            rest.add(message.body());
            message.ack();
        }
        assertThat(first.body()).isEqualTo(1);
        assertThat(rest).containsExactly(2, 3);
    }

    @Test
    public void send_whenQueueStaysFull_throwsQueueFullExceptionAfterTheBlockTimeout() {
        assumeCapability(Capability.BOUNDED_QUEUES);
        Queue<Integer> queue = baton.queue(queueName(), Integer.class,
                QueueOptions.builder().maxLength(1).overflow(Overflow.BLOCK).blockTimeout(Duration.ofMillis(300)).build());
        queue.send(1);

        long start = System.nanoTime();
        assertThatThrownBy(() -> queue.send(2)).isInstanceOf(QueueFullException.class);
        assertThat(elapsedMillis(start)).isBetween(250L, 5_000L);
        assertThat(receiveOne(queue).body()).isEqualTo(1);
        assertThat(queue.receive(Duration.ofMillis(100))).isEmpty();
    }

    // ---- durability ---------------------------------------------------------------------------

    @Test
    public void send_thenReconnect_theMessageIsStillThere() {
        assumeCapability(Capability.DURABLE);
        String name = queueName();
        Order order = Fixtures.order("survivor");
        baton.queue(name, Order.class).send(order);

        reconnect();

        assertThat(receiveOne(baton.queue(name, Order.class)).body()).isEqualTo(order);
    }

    @Test
    public void receive_notAckedBeforeReconnect_isDeliveredAgain() {
        assumeCapability(Capability.DURABLE);
        String name = queueName();
        baton.queue(name, String.class).send("unfinished");
        receiveOne(baton.queue(name, String.class)); // not acked

        reconnect();

        assertThat(receiveOne(baton.queue(name, String.class)).body()).isEqualTo("unfinished");
    }

    @Test
    public void consume_afterSubscriptionClose_laterMessagesWaitForTheNextConsumer() {
        Queue<String> queue = baton.queue(queueName(), String.class);
        Recorder<String> consumed = new Recorder<>();
        Subscription consumer = queue.consume(consumed::add);
        queue.send("one");
        consumed.awaitSize(1);

        consumer.close();
        queue.send("two");

        assertThat(receiveOne(queue).body()).isEqualTo("two");
        assertThat(consumed.items()).containsExactly("one");
    }

    static List<Integer> range(int count) {
        return IntStream.range(0, count).boxed().collect(Collectors.toList());
    }
}
