package io.baton.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the side-by-side harnesses ({@link DurableQueueComparison}, {@link ServerComparison}) share:
 * the systems they run in alternating rounds, the loops that drive a system the same way whatever
 * it is, and the table of median rounds.
 *
 * <p>Three loops, each run by one producer thread for a warm-up and then a measured time:
 * <ul>
 *   <li>{@link #pipeline}: at most {@code window} sends unconfirmed (a credit is given back when a
 *       send's confirmation arrives); scores messages consumed per second, and records each
 *       confirmation's latency;</li>
 *   <li>{@link #paced}: at most {@code window} messages published and not yet received (a credit is
 *       given back when the subscriber receives one, {@link Receipts}); scores messages received
 *       per second;</li>
 *   <li>{@link #oneInFlight}: one call after another; scores calls per second and records each
 *       call's latency.</li>
 * </ul>
 * Latencies are recorded in nanoseconds.
 *
 * <p>Public for {@code baton bench} ({@link io.baton.bench.tool}), which keeps its rounds in the same
 * {@link Result}s and reads them with the same {@link #median}, {@link #BY_RATE} and {@link #micros}.
 */
public final class SideBySide {
    /** A message that has not settled in this long after the measured time means a stuck system: say so, don't hang. */
    private static final long SETTLE_SECONDS = 30;

    /** Every side-by-side workload moves 128-byte bodies, as DESIGN.md's Performance table says. */
    static final int SIZE = 128;

    private SideBySide() {}

    /** One timed run of one system; {@code latencyNanos} is null where the loop records none. */
    public record Result(double perSecond, Histogram latencyNanos) {
        /** The latency at {@code percentile} (0-100), or -1 where the loop recorded none. */
        public long percentileNanos(double percentile) {
            return latencyNanos == null ? -1 : latencyNanos.getValueAtPercentile(percentile);
        }
    }

    /** A system under test: runs its loop for {@code warmup}, then measures for {@code measure}. */
    interface SystemUnderTest {
        String name();

        Result run(Duration warmup, Duration measure) throws Exception;
    }

    /** One asynchronous send; the future completes when the system confirms it. */
    @FunctionalInterface
    interface AsyncSend {
        CompletableFuture<?> send() throws Exception;
    }

    /** One publish (or call) that needs no future: it either returns or throws. */
    @FunctionalInterface
    interface Operation {
        void run() throws Exception;
    }

    /**
     * The subscriber side of {@link #paced}: each message received counts and gives the
     * publisher its credit back. Every system's subscriber calls the same {@link #received()}.
     */
    static final class Receipts {
        private final int window;
        private final Semaphore credits;
        private final LongAdder count = new LongAdder();

        Receipts(int window) {
            this.window = window;
            this.credits = new Semaphore(window);
        }

        void received() {
            count.increment();
            credits.release();
        }
    }

    /**
     * Runs every system once per round, round after round, so drift on the machine hits every
     * system alike; prints a line per run. A run that fails is reported and left out.
     *
     * @return each system's results, by name, in the order given
     */
    static Map<String, List<Result>> alternate(int rounds, List<? extends SystemUnderTest> systems, Duration warmup,
                                               Duration measure, PrintStream out) {
        Map<String, List<Result>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (SystemUnderTest s : systems) {
                Result r;
                try {
                    r = s.run(warmup, measure);
                } catch (Exception e) { // one failed run must not lose a long run's other results: say it, go on
                    out.printf(Locale.ROOT, "round %d  %-48s FAILED: %s%n", round, s.name(), e);
                    e.printStackTrace();
                    continue;
                }
                results.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(r);
                String latency = r.latencyNanos == null ? "" : String.format(Locale.ROOT, "  p50 %s  p99 %s",
                        micros(r.percentileNanos(50)), micros(r.percentileNanos(99)));
                out.printf(Locale.ROOT, "round %d  %-48s %,12.0f /s%s%n", round, s.name(), r.perSecond, latency);
                out.flush();
            }
        }
        return results;
    }

    /** The median round by {@code order}. */
    public static Result median(List<Result> runs, Comparator<Result> order) {
        List<Result> sorted = runs.stream().sorted(order).toList();
        return sorted.get(sorted.size() / 2);
    }

    public static final Comparator<Result> BY_RATE = Comparator.comparingDouble(Result::perSecond);
    public static final Comparator<Result> BY_P50 = Comparator.comparingLong(r -> r.percentileNanos(50));

    /**
     * Prints one Markdown row per system: its median round by {@code order}, the spread of its
     * rounds' rates, and the median round's latency percentiles (none if {@code latencyName} is null).
     */
    static void printTable(PrintStream out, String rateUnit, String latencyName, Map<String, List<Result>> results,
                           List<String> names, Comparator<Result> order) {
        if (latencyName == null) {
            out.printf("| system | %s (median round) | spread (min-max) |%n|---|---|---|%n", rateUnit);
        } else {
            out.printf("| system | %s (median round) | spread (min-max) | %s p50 | p90 | p99 |%n|---|---|---|---|---|---|%n", rateUnit, latencyName);
        }
        for (String name : names) {
            List<Result> runs = results.get(name);
            if (runs == null) continue;
            Result median = median(runs, order);
            List<Result> byRate = runs.stream().sorted(BY_RATE).toList();
            String latency = latencyName == null ? "" : String.format(" %s | %s | %s |", micros(median.percentileNanos(50)),
                    micros(median.percentileNanos(90)), micros(median.percentileNanos(99)));
            out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f-%,.0f |%s%n", name, median.perSecond,
                    byRate.get(0).perSecond, byRate.get(byRate.size() - 1).perSecond, latency);
        }
    }

    /** Nanoseconds as microseconds for a table, or "-" where there is no latency. */
    public static String micros(long nanos) {
        if (nanos < 0) return "-";
        return nanos < 100_000 ? String.format(Locale.ROOT, "%.1f us", nanos / 1e3) : String.format(Locale.ROOT, "%,d us", nanos / 1_000);
    }

    /**
     * A Baton queue through {@link #pipeline}: sends {@value #SIZE}-byte messages to {@code sendTo}
     * and consumes them (acked on return) from {@code consumeFrom}, the same queue through the same
     * connection or another one.
     */
    static Result queuePipeline(int window, io.baton.Queue<byte[]> sendTo, io.baton.Queue<byte[]> consumeFrom,
                                Duration warmup, Duration measure) throws Exception {
        byte[] payload = new byte[SIZE];
        LongAdder consumed = new LongAdder();
        io.baton.Subscription consumer = consumeFrom.consume(body -> consumed.increment());
        try {
            return pipeline(window, () -> sendTo.sendAsync(payload), consumed, warmup, measure);
        } finally {
            consumer.close();
        }
    }

    /**
     * Sends through {@code send} with at most {@code window} sends unconfirmed, recording each
     * confirmation's latency while measuring; {@code consumed} counts what the system's consumer
     * took and acked, and is the score.
     */
    static Result pipeline(int window, AsyncSend send, LongAdder consumed, Duration warmup, Duration measure) throws Exception {
        Semaphore inFlight = new Semaphore(window);
        Histogram latency = new ConcurrentHistogram(3);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long warmEnd = System.nanoTime() + warmup.toNanos();
        long counted = drive(inFlight, () -> {
            long sentAt = System.nanoTime();
            boolean measured = sentAt >= warmEnd;
            send.send().whenComplete((ok, error) -> {
                if (error != null) failure.compareAndSet(null, error);
                else if (measured) latency.recordValue(Math.max(1, System.nanoTime() - sentAt));
                inFlight.release();
            });
        }, consumed, warmEnd, measure);
        settle(inFlight, window, "sends still unconfirmed");
        if (failure.get() != null) throw new IllegalStateException("a send failed", failure.get());
        return new Result(counted / seconds(measure), latency);
    }

    /**
     * Publishes through {@code publish} with at most {@code receipts.window} messages published
     * and not yet received: the score is messages received per second. At the end every message
     * published must have arrived (none dropped, none cut off), or this says how many did not.
     */
    static Result paced(Receipts receipts, Operation publish, Duration warmup, Duration measure) throws Exception {
        long counted = drive(receipts.credits, publish, receipts.count, System.nanoTime() + warmup.toNanos(), measure);
        settle(receipts.credits, receipts.window, "messages published and never received");
        return new Result(counted / seconds(measure), null);
    }

    /** Calls {@code call} one at a time, recording each call's latency while measuring: calls per second. */
    static Result oneInFlight(Operation call, Duration warmup, Duration measure) throws Exception {
        Histogram latency = new Histogram(3);
        long warmEnd = System.nanoTime() + warmup.toNanos();
        long end = warmEnd + measure.toNanos();
        long calls = 0;
        long start;
        while ((start = System.nanoTime()) < end) {
            call.run();
            if (start >= warmEnd) {
                latency.recordValue(Math.max(1, System.nanoTime() - start));
                calls++;
            }
        }
        return new Result(calls / seconds(measure), latency);
    }

    /**
     * The shared producer loop: takes a credit, runs the operation, until {@code measure} past
     * {@code warmEnd}; returns how far {@code counted} moved while measuring.
     */
    private static long drive(Semaphore credits, Operation operation, LongAdder counted, long warmEnd, Duration measure)
            throws Exception {
        long end = warmEnd + measure.toNanos();
        long countedAtStart = -1;
        long now;
        while ((now = System.nanoTime()) < end) {
            if (countedAtStart < 0 && now >= warmEnd) countedAtStart = counted.sum();
            credits.acquire();
            operation.run();
        }
        return counted.sum() - countedAtStart;
    }

    /** Waits until every credit is back (the last operations have settled) before the system is torn down. */
    private static void settle(Semaphore credits, int window, String what) throws InterruptedException {
        if (!credits.tryAcquire(window, SETTLE_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException((window - credits.availablePermits()) + " " + what + " after " + SETTLE_SECONDS + " s");
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** Parses {@code --name value} pairs. */
    static Map<String, String> options(String[] args, String usage) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: " + usage + "; got " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
