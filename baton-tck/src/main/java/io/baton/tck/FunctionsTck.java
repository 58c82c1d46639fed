package io.baton.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.BatonClosedException;
import io.baton.CallOptions;
import io.baton.Consume;
import io.baton.ConsumeOptions;
import io.baton.Message;
import io.baton.NoRespondersException;
import io.baton.Queue;
import io.baton.Serve;
import io.baton.ServeOptions;
import io.baton.Subscribe;
import io.baton.SubscribeOptions;
import io.baton.Subscription;
import io.baton.Topic;
import io.baton.spi.Capability;
import io.baton.tck.Fixtures.Add;
import io.baton.tck.Fixtures.Order;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The function runtime: handlers on virtual threads with a per-function concurrency limit,
 * annotated functions registered all at once (or not at all), and graceful close.
 */
public abstract class FunctionsTck extends BackendTck {

    /** Names used by the annotated fixtures; annotation values are constants, so tests send unique bodies instead. */
    public static final String REGISTERED_QUEUE = "tck.functions.registered.orders";
    public static final String REGISTERED_MESSAGE_QUEUE = "tck.functions.registered.messages";
    public static final String REGISTERED_TOPIC = "tck.functions.registered.events";
    public static final String REGISTERED_RPC = "tck.functions.registered.add";
    public static final String BAD_QUEUE = "tck.functions.bad.orders";
    public static final String BAD_RPC = "tck.functions.bad.add";

    /** A plain object whose annotated methods are functions on a queue, a topic and an RPC subject. */
    public static final class Pipeline {
        final Recorder<Order> orders = new Recorder<>();
        final Recorder<String> messages = new Recorder<>();
        final Recorder<String> events = new Recorder<>();
        final Recorder<Boolean> virtualThreads = new Recorder<>();

        @Consume(REGISTERED_QUEUE)
        public void onOrder(Order order) {
            virtualThreads.add(Thread.currentThread().isVirtual());
            orders.add(order);
        }

        @Consume(value = REGISTERED_MESSAGE_QUEUE, type = Order.class, maxAttempts = 3)
        public void onOrderMessage(Message<Order> message) {
            messages.add(message.body().id() + "#" + message.attempt());
        }

        @Subscribe(REGISTERED_TOPIC + ".*")
        public void onEvent(String event) {
            virtualThreads.add(Thread.currentThread().isVirtual());
            events.add(event);
        }

        @Serve(REGISTERED_RPC)
        public int add(Add request) {
            virtualThreads.add(Thread.currentThread().isVirtual());
            return request.x() + request.y();
        }
    }

    /** Good functions next to one whose shape is wrong (a consumer with two parameters). */
    public static final class BadlyShaped {
        @Serve(BAD_RPC)
        public int add(Add request) {
            return request.x() + request.y();
        }

        @Consume(BAD_QUEUE)
        public void onOrder(Order order) {
            // a valid consumer: it must not stay bound when registration fails
        }

        @Consume(BAD_QUEUE + ".two")
        public void twoParameters(Order order, String extra) {
            // invalid: a consumer takes one parameter
        }
    }

    // ---- threads and concurrency --------------------------------------------------------------

    @Test
    public void handlers_runOnVirtualThreads() {
        assumeCapability(Capability.QUEUES, Capability.TOPICS, Capability.RPC);
        Recorder<Boolean> virtual = new Recorder<>();
        Queue<String> queue = baton.queue(queueName(), String.class);
        queue.consume(s -> virtual.add(Thread.currentThread().isVirtual()));
        Topic<String> topic = baton.topic(subject(), String.class);
        topic.subscribe(s -> virtual.add(Thread.currentThread().isVirtual()));
        String rpc = subject();
        baton.serve(rpc, String.class, s -> Thread.currentThread().isVirtual());

        queue.send("q");
        topic.publish("t");
        boolean rpcVirtual = baton.call(rpc, "r", Boolean.class);

        assertThat(virtual.awaitSize(2)).containsOnly(true);
        assertThat(rpcVirtual).isTrue();
    }

    @Test
    public void consume_withConcurrency3_runsAtMostThreeAtOnce_andReachesThree() {
        assumeCapability(Capability.QUEUES);
        Queue<Integer> queue = baton.queue(queueName(), Integer.class);
        ConcurrencyMeter meter = new ConcurrencyMeter();
        Recorder<Integer> done = new Recorder<>();
        queue.consume(i -> meter.during(30, () -> done.add(i)), ConsumeOptions.builder().concurrency(3).build());

        IntStream.range(0, 15).forEach(queue::send);

        assertThat(done.awaitSize(15)).containsExactlyInAnyOrderElementsOf(QueueTck.range(15));
        assertThat(meter.max()).isEqualTo(3);
    }

    @Test
    public void subscribe_withConcurrency3_runsAtMostThreeAtOnce_andReachesThree() {
        assumeCapability(Capability.TOPICS);
        Topic<Integer> topic = baton.topic(subject(), Integer.class);
        ConcurrencyMeter meter = new ConcurrencyMeter();
        Recorder<Integer> done = new Recorder<>();
        topic.subscribe(i -> meter.during(30, () -> done.add(i)), SubscribeOptions.builder().concurrency(3).build());

        IntStream.range(0, 15).forEach(topic::publish);

        assertThat(done.awaitSize(15)).containsExactlyInAnyOrderElementsOf(QueueTck.range(15));
        assertThat(meter.max()).isEqualTo(3);
    }

    @Test
    public void serve_withConcurrency3_runsAtMostThreeAtOnce_andReachesThree() throws Exception {
        assumeCapability(Capability.RPC);
        String subject = subject();
        ConcurrencyMeter meter = new ConcurrencyMeter();
        baton.serve(subject, Integer.class, i -> {
            meter.during(50, () -> { });
            return i;
        }, new ServeOptions(3));

        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            calls.add(baton.callAsync(subject, i, Integer.class, CallOptions.timeout(TIMEOUT)));
        }
        List<Integer> replies = new ArrayList<>();
        for (CompletableFuture<Integer> call : calls) {
            replies.add(call.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }

        assertThat(replies).containsExactlyElementsOf(QueueTck.range(9));
        assertThat(meter.max()).isEqualTo(3);
    }

    // ---- register -----------------------------------------------------------------------------

    /** A generic function interface: implementing it makes javac add a bridge method carrying the annotation. */
    public interface OrderFunction<T> {
        void on(T value) throws Exception;
    }

    /** Implements a generic interface with an annotated method. */
    public static final class GenericConsumer implements OrderFunction<Message<Order>> {
        final java.util.concurrent.ConcurrentLinkedQueue<Integer> attempts = new java.util.concurrent.ConcurrentLinkedQueue<>();

        @Override
        @Consume(value = "generic.orders", type = Order.class)
        public void on(Message<Order> message) {
            attempts.add(message.attempt());
        }
    }

    @Test
    public void register_methodImplementingAGenericInterface_isBoundOnce() throws Exception {
        Queue<Order> orders = baton.queue("generic.orders", Order.class);
        GenericConsumer consumer = new GenericConsumer();
        Subscription bound = baton.register(consumer);
        for (int i = 0; i < 20; i++) orders.send(Fixtures.order("o" + i));
        eventually().until(() -> consumer.attempts.size() >= 20);
        // a second consumer bound to the bridge method would fail its share and they would come back as attempt 2
        assertThat(consumer.attempts).as("every message handled on its first attempt").containsOnly(1).hasSize(20);
        bound.close();
    }

    @Test
    public void consume_handlerOverflowingItsStack_isNacked_andTheConsumerGoesOn() {
        Queue<Integer> queue = baton.queue(queueName(), Integer.class);
        java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
        queue.consume(i -> {
            if (i == 0) recurse(0);
            handled.incrementAndGet();
        }, FAST_RETRY.toBuilder().maxAttempts(1).build());
        for (int i = 0; i < 5; i++) queue.send(i);

        eventually().until(() -> handled.get() == 4);
        Message<Integer> dead = receiveOne(baton.queue(queue.name() + io.baton.Headers.DLQ_SUFFIX, Integer.class));
        assertThat(dead.headers().get(io.baton.Headers.DLQ_ERROR_TYPE)).isEqualTo(StackOverflowError.class.getName());
        dead.ack();
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    public void subscriptionClose_fromItsOwnHandler_returnsPromptly() {
        Queue<Integer> queue = baton.queue(queueName(), Integer.class);
        CompletableFuture<Long> closeMillis = new CompletableFuture<>();
        Subscription[] self = new Subscription[1];
        CountDownLatch bound = new CountDownLatch(1);
        self[0] = queue.consume(i -> {
            awaitLatch(bound, "the subscription handle");
            long start = System.nanoTime();
            self[0].close();
            closeMillis.complete(elapsedMillis(start));
        });
        bound.countDown();
        queue.send(1);

        assertThat(closeMillis).succeedsWithin(TIMEOUT);
        assertThat(closeMillis.join()).as("close from a handler must not wait for its own thread").isLessThan(1_000);
        assertThat(self[0].isActive()).isFalse();
    }

    @Test
    public void register_bindsEveryAnnotatedMethod() {
        assumeCapability(Capability.QUEUES, Capability.TOPICS, Capability.RPC);
        Pipeline pipeline = new Pipeline();
        Subscription functions = baton.register(pipeline);
        // Fixed names (annotations take constants): durable backends may hold leftovers from an
        // earlier run, so each check looks for a body unique to this run.
        String run = UUID.randomUUID().toString();

        Order order = Fixtures.order(run);
        baton.queue(REGISTERED_QUEUE, Order.class).send(order);
        baton.queue(REGISTERED_MESSAGE_QUEUE, Order.class).send(Fixtures.order(run));
        baton.topic(REGISTERED_TOPIC + ".created", String.class).publish(run);
        int sum = baton.call(REGISTERED_RPC, new Add(20, 22), Integer.class);

        assertThat(sum).isEqualTo(42);
        pipeline.orders.awaitContains(order);
        pipeline.messages.awaitContains(run + "#1");
        pipeline.events.awaitContains(run);
        assertThat(pipeline.virtualThreads.items()).containsOnly(true);
        assertThat(functions.isActive()).isTrue();

        functions.close();

        assertThat(functions.isActive()).isFalse();
        assertThatThrownBy(() -> baton.call(REGISTERED_RPC, new Add(1, 1), Integer.class, CallOptions.timeout(TIMEOUT)))
                .isInstanceOf(NoRespondersException.class);
    }

    @Test
    public void register_withABadlyShapedMethod_throwsIllegalArgumentException_andBindsNothing() {
        assumeCapability(Capability.QUEUES, Capability.RPC);

        assertThatThrownBy(() -> baton.register(new BadlyShaped()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twoParameters");

        assertThatThrownBy(() -> baton.call(BAD_RPC, new Add(1, 1), Integer.class, CallOptions.timeout(TIMEOUT)))
                .isInstanceOf(NoRespondersException.class);
        // No consumer took it: a message sent now is still there to pull.
        Order order = Fixtures.order(UUID.randomUUID().toString());
        Queue<Order> queue = baton.queue(BAD_QUEUE, Order.class);
        queue.send(order);
        assertThat(drainUntil(queue, order)).as("message found in " + BAD_QUEUE).isTrue();
    }

    @Test
    public void register_anObjectWithoutAnnotatedMethods_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> baton.register(new Object())).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- graceful close -----------------------------------------------------------------------

    @Test
    public void subscriptionClose_waitsForTheRunningHandlerToFinish() {
        assumeCapability(Capability.QUEUES);
        Queue<String> queue = baton.queue(queueName(), String.class);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Subscription consumer = queue.consume(s -> {
            started.countDown();
            Thread.sleep(300); // work in progress when close() is called
            finished.set(true);
        });
        queue.send("work");
        awaitLatch(started, "handler started");

        consumer.close();

        assertThat(finished).as("handler finished before close() returned").isTrue();
        assertThat(consumer.isActive()).isFalse();
        assertThat(consumer.closed()).isCompleted();
        eventually().untilAsserted(() -> assertThat(queue.stats().acked()).isEqualTo(1));
    }

    @Test
    public void subscriptionClose_stopsTakingNewWork() {
        assumeCapability(Capability.QUEUES);
        Queue<String> queue = baton.queue(queueName(), String.class);
        Recorder<String> consumed = new Recorder<>();
        Subscription consumer = queue.consume(consumed::add);

        consumer.close();
        queue.send("after close");

        assertThat(receiveOne(queue).body()).isEqualTo("after close");
        assertThat(consumed.items()).isEmpty();
    }

    @Test
    public void subscriptionClose_returnsMessagesNotYetAckedToTheQueue() {
        assumeCapability(Capability.QUEUES);
        Queue<Integer> queue = baton.queue(queueName(), Integer.class);
        Recorder<Integer> firstConsumer = new Recorder<>();
        CountDownLatch started = new CountDownLatch(1);
        // Sent before the consumer starts, so that a consumer that prefetches takes several at
        // once. The default lease is 30 s: messages that come back within the test's timeout were
        // returned by close(), not by lease expiry.
        IntStream.range(0, 10).forEach(queue::send);
        Subscription consumer = queue.consume(i -> {
            started.countDown();
            Thread.sleep(100);
            firstConsumer.add(i);
        });
        awaitLatch(started, "first consumer started");

        consumer.close();
        List<Integer> handledBeforeClose = firstConsumer.items();
        Recorder<Integer> secondConsumer = new Recorder<>();
        queue.consume(secondConsumer::add);

        eventually().untilAsserted(() -> {
            HashSet<Integer> all = new HashSet<>(handledBeforeClose);
            all.addAll(secondConsumer.items());
            assertThat(all).containsExactlyInAnyOrderElementsOf(QueueTck.range(10));
        });
        assertThat(handledBeforeClose).as("handled before close").isNotEmpty();
        assertThat(secondConsumer.items()).as("handled and acked before close, so not redelivered")
                .doesNotContainAnyElementsOf(handledBeforeClose);
    }

    @Test
    public void subscriptionClose_whenAHandlerOutlivesTheShutdownBound_returnsAndTheMessageGoesBack() {
        assumeCapability(Capability.QUEUES);
        Queue<String> queue = baton.queue(queueName(), String.class);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = gate();
        Subscription stuck = queue.consume(s -> {
            started.countDown();
            gate.await(); // never finishes on its own
        });
        queue.send("stuck");
        awaitLatch(started, "handler started");

        long start = System.nanoTime();
        stuck.close();
        long closing = elapsedMillis(start);

        assertThat(closing).as("close() is bounded by the shutdown timeout")
                .isLessThan(connectOptions().shutdownTimeout().toMillis() + 3_000);
        Optional<Message<String>> back = queue.receive(Duration.ofSeconds(5));
        assertThat(back).as("the unfinished message is back in the queue, before its 30 s lease ran out")
                .map(Message::body).contains("stuck");
    }

    @Test
    public void batonClose_waitsForRunningHandlers() {
        assumeCapability(Capability.QUEUES);
        Queue<String> queue = baton.queue(queueName(), String.class);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        queue.consume(s -> {
            started.countDown();
            Thread.sleep(300);
            finished.set(true);
        });
        queue.send("work");
        awaitLatch(started, "handler started");

        baton.close();

        assertThat(finished).as("handler finished before close() returned").isTrue();
    }

    @Test
    public void batonClose_closesEveryFunction_andLaterUseFails() {
        assumeCapability(Capability.QUEUES, Capability.TOPICS, Capability.RPC);
        Queue<String> queue = baton.queue(queueName(), String.class);
        Topic<String> topic = baton.topic(subject(), String.class);
        String rpc = subject();
        List<Subscription> functions = List.of(
                queue.consume(s -> { }),
                topic.subscribe(s -> { }),
                baton.serve(rpc, String.class, s -> s));

        baton.close();

        assertThat(functions).allSatisfy(function -> {
            assertThat(function.isActive()).isFalse();
            assertThat(function.closed()).isCompleted();
        });
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThatThrownBy(() -> queue.send("x")).as("send after close").isInstanceOf(BatonClosedException.class);
            softly.assertThatThrownBy(() -> topic.publish("x")).as("publish after close").isInstanceOf(BatonClosedException.class);
            softly.assertThatThrownBy(() -> baton.call(rpc, "x", String.class)).as("call after close").isInstanceOf(BatonClosedException.class);
        });
        baton.close(); // idempotent
    }

    @Test
    public void batonClose_failsABlockedReceiveWithBatonClosedException() {
        assumeCapability(Capability.QUEUES);
        Queue<String> queue = baton.queue(queueName(), String.class);
        CompletableFuture<Optional<Message<String>>> blocked = async(() -> queue.receive(Duration.ofSeconds(30)));
        holdsFor(Duration.ofMillis(100), () -> !blocked.isDone());

        long start = System.nanoTime();
        baton.close();

        assertThat(blocked).failsWithin(TIMEOUT).withThrowableThat().havingCause().isInstanceOf(BatonClosedException.class);
        assertThat(elapsedMillis(start)).as("receive woken by close, not by its 30 s timeout").isLessThan(5_000);
    }

    /** Pulls and acks messages until {@code wanted} comes (true) or the queue stays empty (false). */
    private static <T> boolean drainUntil(Queue<T> queue, T wanted) {
        for (int i = 0; i < 10_000; i++) {
            Optional<Message<T>> message = queue.receive(Duration.ofSeconds(2));
            if (message.isEmpty()) {
                return false;
            }
            message.get().ack();
            if (message.get().body().equals(wanted)) {
                return true;
            }
        }
        return false;
    }
}
