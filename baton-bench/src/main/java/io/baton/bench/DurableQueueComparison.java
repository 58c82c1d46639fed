package io.baton.bench;

import io.baton.Baton;
import io.baton.Queue;
import io.baton.Subscription;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Durable queue, send + consume + ack of 128-byte messages, side by side in one run:
 * <ul>
 *   <li>Baton {@code file:} with {@code durability=fsync} (group commit), the default;</li>
 *   <li>Baton {@code file:} with {@code durability=os} (no fsync), to compare like with like;</li>
 *   <li>NATS JetStream: a file-backed work-queue stream, published with {@code publishAsync} and
 *       consumed by a durable pull consumer with explicit acks, through jnats, against the NATS
 *       server given by {@code --nats} (default {@code nats://127.0.0.1:4222});</li>
 *   <li>the disk's raw fsync rate: append 128 bytes, {@code fdatasync}, repeat, one thread.</li>
 * </ul>
 *
 * <p>Each system runs the same pipeline: one producer keeps at most {@code --window} (default 256) sends
 * unconfirmed, one consumer takes each message and acks it. The score is messages <em>consumed</em>
 * per second; the latency is a send's confirmation (Baton: the future of {@code sendAsync}
 * completes once the record is durable; JetStream: its PublishAck). Runs alternate between the
 * systems, round after round, so drift on the machine hits every system alike; the table shows the
 * median round and the spread.
 *
 * <p>Run: {@code java -cp baton-bench/target/benchmarks.jar io.baton.bench.DurableQueueComparison
 * [--rounds 3] [--seconds 5] [--warmup 2] [--window 256] [--nats nats://127.0.0.1:4222]}.
 */
public final class DurableQueueComparison {
    static final int SIZE = 128;
    /** Sends in flight (unconfirmed) at most; {@code --window} changes it. */
    static int window = 256;

    /** One timed run of one system. */
    record Result(double perSecond, Histogram latencyMicros) {}

    /** A system under test: runs its pipeline for {@code warmup}, then measures for {@code measure}. */
    interface System {
        String name();

        Result run(Duration warmup, Duration measure) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        Duration measure = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "5")));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "2")));
        String natsUrl = options.getOrDefault("nats", "nats://127.0.0.1:4222");
        window = Integer.parseInt(options.getOrDefault("window", "256"));
        Path scratch = Files.createTempDirectory(Path.of(options.getOrDefault("dir", ".")).toAbsolutePath(), "baton-bench-");

        List<System> systems = List.of(
                new BatonFile("baton file: fsync", scratch, "fsync"),
                new BatonFile("baton file: os", scratch, "os"),
                new JetStreamWorkQueue("jetstream file work-queue", natsUrl),
                new RawFsync("raw fsync (128 B append + fdatasync)", scratch));
        Map<String, List<Result>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (System s : systems) {
                Result r = s.run(warmup, measure);
                results.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(r);
                java.lang.System.out.printf(Locale.ROOT, "round %d  %-40s %,12.0f msgs/s  p50 %,8d us  p99 %,8d us%n",
                        round, s.name(), r.perSecond, r.latencyMicros.getValueAtPercentile(50), r.latencyMicros.getValueAtPercentile(99));
            }
        }
        deleteTree(scratch);
        printTable(results);
    }

    private static void printTable(Map<String, List<Result>> results) {
        java.lang.System.out.println();
        java.lang.System.out.println("| system | msgs/s (median round) | spread (min-max) | send-confirm p50 | p99 |");
        java.lang.System.out.println("|---|---|---|---|---|");
        Map<String, Double> medians = new LinkedHashMap<>();
        results.forEach((name, runs) -> {
            List<Result> sorted = runs.stream().sorted(Comparator.comparingDouble(Result::perSecond)).toList();
            Result median = sorted.get(sorted.size() / 2);
            medians.put(name, median.perSecond);
            java.lang.System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f-%,.0f | %,d us | %,d us |%n", name, median.perSecond,
                    sorted.get(0).perSecond, sorted.get(sorted.size() - 1).perSecond,
                    median.latencyMicros.getValueAtPercentile(50), median.latencyMicros.getValueAtPercentile(99));
        });
        double jetStream = medians.get("jetstream file work-queue");
        java.lang.System.out.println();
        medians.forEach((name, perSecond) -> {
            if (!name.startsWith("jetstream")) {
                java.lang.System.out.printf(Locale.ROOT, "%s / jetstream = %.2fx%n", name, perSecond / jetStream);
            }
        });
    }

    /**
     * The shared pipeline: sends through {@code send} with at most {@code --window} (default 256) unconfirmed,
     * recording each confirmation's latency while measuring; {@code consumed} counts what the
     * system's consumer took and acked.
     */
    static Result pipeline(Supplier<CompletableFuture<?>> send, LongAdder consumed, Duration warmup, Duration measure)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(window);
        Histogram latency = new ConcurrentHistogram(3);
        long warmEnd = java.lang.System.nanoTime() + warmup.toNanos();
        long end = warmEnd + measure.toNanos();
        long consumedAtStart = -1;
        long now;
        while ((now = java.lang.System.nanoTime()) < end) {
            if (consumedAtStart < 0 && now >= warmEnd) consumedAtStart = consumed.sum();
            inFlight.acquire();
            long sentAt = java.lang.System.nanoTime();
            boolean measured = sentAt >= warmEnd;
            send.get().whenComplete((ok, error) -> {
                if (error != null) error.printStackTrace();
                else if (measured) latency.recordValue(Math.max(1, (java.lang.System.nanoTime() - sentAt) / 1_000));
                inFlight.release();
            });
        }
        long consumedInWindow = consumed.sum() - consumedAtStart;
        inFlight.acquire(window); // let the last sends settle before the system is torn down
        return new Result(consumedInWindow / (measure.toNanos() / 1e9), latency);
    }

    /** Baton's {@code file:} backend in this JVM. */
    record BatonFile(String name, Path scratch, String durability) implements System {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            Path dir = Files.createTempDirectory(scratch, "file-");
            byte[] payload = new byte[SIZE];
            LongAdder consumed = new LongAdder();
            try (Baton baton = Baton.connect("file:" + dir + "?durability=" + durability)) {
                Queue<byte[]> queue = baton.queue("bench", byte[].class);
                Subscription consumer = queue.consume(body -> consumed.increment());
                try {
                    return pipeline(() -> queue.sendAsync(payload), consumed, warmup, measure);
                } finally {
                    consumer.close();
                }
            } finally {
                deleteTree(dir);
            }
        }
    }

    /** A JetStream file-backed work-queue stream through jnats: one connection publishes, one consumes. */
    record JetStreamWorkQueue(String name, String url) implements System {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            String stream = "BATON_BENCH_" + java.lang.System.nanoTime();
            String subject = "baton.bench." + stream;
            byte[] payload = new byte[SIZE];
            LongAdder consumed = new LongAdder();
            // closed by hand: jnats's close() throws InterruptedException, which try-with-resources would warn about
            Connection producer = Nats.connect(url);
            Connection consumerConnection = Nats.connect(url);
            JetStreamManagement jsm = producer.jetStreamManagement();
            try {
                jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject)
                        .retentionPolicy(RetentionPolicy.WorkQueue).storageType(StorageType.File).build());
                ConsumerContext context = consumerConnection.getStreamContext(stream).createOrUpdateConsumer(
                        ConsumerConfiguration.builder().durable("bench").ackPolicy(AckPolicy.Explicit).build());
                JetStream js = producer.jetStream();
                MessageConsumer consumer = context.consume(message -> {
                    message.ack();
                    consumed.increment();
                });
                try {
                    return pipeline(() -> js.publishAsync(subject, payload), consumed, warmup, measure);
                } finally {
                    consumer.close();
                }
            } finally {
                jsm.deleteStream(stream);
                consumerConnection.close();
                producer.close();
            }
        }
    }

    /** What the disk can fsync: one thread appends 128 bytes and fdatasyncs, again and again. */
    record RawFsync(String name, Path scratch) implements System {
        @Override
        public Result run(Duration warmup, Duration measure) throws IOException {
            Path file = Files.createTempFile(scratch, "fsync-", ".bin");
            Histogram latency = new Histogram(3);
            ByteBuffer record = ByteBuffer.allocate(SIZE);
            long count = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                long warmEnd = java.lang.System.nanoTime() + warmup.toNanos();
                long end = warmEnd + measure.toNanos();
                long now;
                while ((now = java.lang.System.nanoTime()) < end) {
                    record.clear();
                    ch.write(record);
                    ch.force(false);
                    if (now >= warmEnd) {
                        count++;
                        latency.recordValue(Math.max(1, (java.lang.System.nanoTime() - now) / 1_000));
                    }
                }
            } finally {
                Files.deleteIfExists(file);
            }
            return new Result(count / (measure.toNanos() / 1e9), latency);
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: [--rounds N] [--seconds N] [--warmup N] [--window N] [--nats URL] [--dir DIR]; got " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
