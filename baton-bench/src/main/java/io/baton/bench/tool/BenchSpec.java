package io.baton.bench.tool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code baton bench} workload, as the command line gave it; every system runs exactly this.
 *
 * @param workload  queue, pubsub or rpc
 * @param size      bytes per message (and per request and reply); at least {@value #MIN_SIZE}: every
 *                  message carries its timestamp and the run's id
 * @param count     measured messages (calls) in all, shared by the producers; 0 when timed by {@code duration}
 * @param duration  how long to measure; null when {@code count} is given
 * @param warmup    how long every run sends before measuring
 * @param producers producers (callers, for rpc), each on its own thread and, where the system has
 *                  connections, its own connection
 * @param consumers consumers (queue), subscribers (pubsub, each gets every message) or servers (rpc)
 * @param rate      messages (calls) per second, all producers together; 0: as fast as possible
 * @param durable   queue: durable storage and persistent messages; pubsub: durable subscriptions
 * @param runs      rounds; each round runs every system once, in turn
 * @param window    at most this many messages sent and not yet consumed (per subscriber), all
 *                  producers together; the bound that keeps a fast producer from burying its consumer
 */
public record BenchSpec(Workload workload, int size, long count, Duration duration, Duration warmup, int producers,
                        int consumers, double rate, boolean durable, int runs, int window) {
    public static final int MIN_SIZE = 16;
    public static final int MAX_SIZE = 1 << 20;

    /** Checks every field; the message names the option to fix. */
    public BenchSpec {
        List<String> wrong = new ArrayList<>();
        if (workload == null) wrong.add("a workload (queue, pubsub or rpc) is needed");
        if (size < MIN_SIZE || size > MAX_SIZE) {
            wrong.add("--size must be from " + MIN_SIZE + " (each message carries a timestamp and the run's id) to " + MAX_SIZE + " bytes, not " + size);
        }
        if (count < 0) wrong.add("--count must be at least 1, not " + count);
        if (count > 0 && duration != null) wrong.add("give --count or --duration, not both");
        if (count == 0 && (duration == null || duration.isNegative() || duration.isZero())) wrong.add("--duration must be more than 0, or give --count");
        if (warmup == null || warmup.isNegative()) wrong.add("--warmup must be 0 or more");
        if (producers < 1) wrong.add("--producers must be at least 1, not " + producers);
        if (consumers < 1) wrong.add("--consumers must be at least 1, not " + consumers);
        if (!(rate >= 0) || Double.isInfinite(rate)) wrong.add("--rate must be 0 (as fast as possible) or more, not " + rate);
        if (durable && workload == Workload.RPC) wrong.add("--durable applies to queue and pubsub, not to rpc");
        if (runs < 1) wrong.add("--runs must be at least 1, not " + runs);
        if (window < 1) wrong.add("--window must be at least 1, not " + window);
        if (!wrong.isEmpty()) throw new IllegalArgumentException(String.join("; ", wrong));
    }

    public boolean counted() {
        return count > 0;
    }

    /** How many times each message arrives: once per subscriber for pubsub, once otherwise. */
    public int fanout() {
        return workload == Workload.PUBSUB ? consumers : 1;
    }

    /** What the consumers are called in this workload. */
    public String consumerRole() {
        return switch (workload) {
            case QUEUE -> "consumer";
            case PUBSUB -> "subscriber";
            case RPC -> "server";
        };
    }

    public String producerRole() {
        return workload == Workload.RPC ? "caller" : workload == Workload.PUBSUB ? "publisher" : "producer";
    }

    /** One line: size, threads, pace, length, durability. */
    public String describe() {
        String pace = rate == 0 ? "as fast as possible" : String.format(Locale.ROOT, "%,.0f %s/s", rate, workload == Workload.RPC ? "calls" : "msgs");
        String flow = workload == Workload.RPC ? "one call in flight per caller" : "window " + window;
        String length = counted() ? String.format(Locale.ROOT, "%,d measured %s", count, workload == Workload.RPC ? "calls" : "messages")
                : Durations.format(duration) + " measured";
        String durability = workload == Workload.RPC ? "" : durable ? ", durable" : ", not durable";
        return String.format(Locale.ROOT, "%d B, %s, %s, %s, %s, %s after %s of warm-up, %d round%s%s", size,
                plural(producers, producerRole()), plural(consumers, consumerRole()), pace, flow, length,
                Durations.format(warmup), runs, runs == 1 ? "" : "s", durability);
    }

    private static String plural(int n, String role) {
        return n + " " + role + (n == 1 ? "" : "s");
    }
}
