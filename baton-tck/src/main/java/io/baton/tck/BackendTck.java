package io.baton.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.Backoff;
import io.baton.Baton;
import io.baton.ConnectOptions;
import io.baton.ConsumeOptions;
import io.baton.Message;
import io.baton.Queue;
import io.baton.spi.Capability;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of every suite: a fresh connection to the backend under test for each test, unique names,
 * the backend's capabilities, and helpers to wait without sleeping.
 *
 * <p>A backend module subclasses a suite and implements {@link #url()}; it may override
 * {@link #connectOptions()}. Tests that need an optional feature call
 * {@link #assumeCapability(Capability...)} first and are skipped, with that reason, on backends
 * that do not declare it.
 */
public abstract class BackendTck {

    /** Longest a test waits for something that must happen; generous, failures only hit it when broken. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Consume options that retry quickly, so redelivery tests stay fast. */
    protected static final ConsumeOptions FAST_RETRY =
            ConsumeOptions.builder().backoff(Backoff.fixed(Duration.ofMillis(10))).build();

    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** The connection of the running test; {@link #reconnect()} replaces it. */
    protected Baton baton;

    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

    /** The URL of the backend under test, for example {@code mem:}. */
    protected abstract String url();

    /**
     * The options every test connects with. The shutdown bound is short so that a broken graceful
     * close costs seconds, not minutes; every handler in the suite finishes well within it.
     */
    protected ConnectOptions connectOptions() {
        return ConnectOptions.builder().shutdownTimeout(Duration.ofSeconds(2)).build();
    }

    @BeforeEach
    public void connect() {
        baton = Baton.connect(url(), connectOptions());
    }

    @AfterEach
    public void disconnect() {
        // Handlers parked on a gate must be let go first, or close() waits for them.
        gates.forEach(CountDownLatch::countDown);
        if (baton != null) {
            baton.close();
        }
    }

    /** Closes the connection and opens a new one to the same URL (a restart, for durable backends). */
    protected void reconnect() {
        baton.close();
        baton = Baton.connect(url(), connectOptions());
    }

    /** The backend's declared capabilities. */
    protected Set<Capability> capabilities() {
        Set<Capability> declared = baton.capabilities();
        return declared.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(declared);
    }

    /** Skips the running test unless the backend declares every one of {@code required}. */
    protected void assumeCapability(Capability... required) {
        for (Capability capability : required) {
            Assumptions.assumeTrue(capabilities().contains(capability),
                    () -> url() + " does not declare " + capability);
        }
    }

    /** A queue name no other test (or earlier run) uses: {@code tck.q<n>_<random>}. */
    protected String queueName() {
        return uniqueName("q");
    }

    /** A subject no other test uses, to be extended with more tokens: {@code tck.t<n>_<random>}. */
    protected String subject() {
        return uniqueName("t");
    }

    /** A unique dot-separated name whose tokens use only {@code [A-Za-z0-9_-]}. */
    protected static String uniqueName(String kind) {
        return "tck." + kind + COUNTER.incrementAndGet() + "_" + randomToken(6);
    }

    /** A random token of lower-case letters and digits. */
    protected static String randomToken(int length) {
        StringBuilder token = new StringBuilder(length);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            token.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return token.toString();
    }

    /**
     * A latch for a handler to park on. Every gate is opened before the connection closes, so a
     * test that fails while a handler is parked still ends promptly.
     */
    protected CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    /** Waits, within {@link #TIMEOUT}, polling often. */
    protected static ConditionFactory eventually() {
        return Awaitility.await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /** Checks that a condition holds for the whole of {@code period} (a bounded negative check). */
    protected static void holdsFor(Duration period, Callable<Boolean> condition) {
        Awaitility.await().during(period).atMost(period.plus(TIMEOUT))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(condition);
    }

    /** Waits for {@code latch} within {@link #TIMEOUT}, failing the test if it does not open. */
    protected static void awaitLatch(CountDownLatch latch, String what) {
        try {
            assertThat(latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as(what).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }

    /** Runs {@code task} on a new virtual thread. */
    protected static <T> CompletableFuture<T> async(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().name("tck-async").start(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Milliseconds since {@code startNanos}, a {@link System#nanoTime()} reading. */
    protected static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Pulls one message with default options, failing the test if none comes within {@link #TIMEOUT}. */
    protected static <T> Message<T> receiveOne(Queue<T> queue) {
        return queue.receive(TIMEOUT).orElseThrow(() -> new AssertionError("no message on " + queue.name() + " within " + TIMEOUT));
    }

    /** Pulls one message with {@code options}, failing the test if none comes within {@link #TIMEOUT}. */
    protected static <T> Message<T> receiveOne(Queue<T> queue, ConsumeOptions options) {
        return queue.receive(TIMEOUT, options).orElseThrow(() -> new AssertionError("no message on " + queue.name() + " within " + TIMEOUT));
    }
}
