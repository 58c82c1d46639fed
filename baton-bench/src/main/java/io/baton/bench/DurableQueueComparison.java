package io.baton.bench;

import io.baton.Baton;
import io.baton.Queue;
import io.baton.bench.SideBySide.Result;
import io.baton.bench.SideBySide.SystemUnderTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * median round and the spread. The loops and the table are {@link SideBySide}'s, the JetStream side
 * {@link JetStreamWorkQueue}, shared with {@link ServerComparison}.
 *
 * <p>Run: {@code java -cp baton-bench/target/benchmarks.jar io.baton.bench.DurableQueueComparison
 * [--rounds 3] [--seconds 5] [--warmup 2] [--window 256] [--nats nats://127.0.0.1:4222]}.
 */
public final class DurableQueueComparison {
    static final String USAGE = "[--rounds N] [--seconds N] [--warmup N] [--window N] [--nats URL] [--dir DIR]";

    private DurableQueueComparison() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = SideBySide.options(args, USAGE);
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        Duration measure = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "5")));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "2")));
        String natsUrl = options.getOrDefault("nats", "nats://127.0.0.1:4222");
        int window = Integer.parseInt(options.getOrDefault("window", "256"));
        Path scratch = Files.createTempDirectory(Path.of(options.getOrDefault("dir", ".")).toAbsolutePath(), "baton-bench-");

        List<SystemUnderTest> systems = List.of(
                new BatonFile("baton file: fsync", scratch, "fsync", window),
                new BatonFile("baton file: os", scratch, "os", window),
                new JetStreamWorkQueue(JETSTREAM, natsUrl, window),
                new RawFsync("raw fsync (128 B append + fdatasync)", scratch));
        Map<String, List<Result>> results;
        try {
            results = SideBySide.alternate(rounds, systems, warmup, measure, System.out);
        } finally {
            SideBySide.deleteTree(scratch);
        }
        System.out.println();
        SideBySide.printTable(System.out, "msgs/s", "send-confirm", results,
                systems.stream().map(SystemUnderTest::name).toList(), SideBySide.BY_RATE);
        double jetStream = SideBySide.median(results.get(JETSTREAM), SideBySide.BY_RATE).perSecond();
        System.out.println();
        results.forEach((name, runs) -> {
            if (!name.equals(JETSTREAM)) {
                System.out.printf(Locale.ROOT, "%s / jetstream = %.2fx%n", name,
                        SideBySide.median(runs, SideBySide.BY_RATE).perSecond() / jetStream);
            }
        });
    }

    private static final String JETSTREAM = "jetstream file work-queue";

    /** Baton's {@code file:} backend in this JVM. */
    record BatonFile(String name, Path scratch, String durability, int window) implements SystemUnderTest {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            Path dir = Files.createTempDirectory(scratch, "file-");
            try (Baton baton = Baton.connect("file:" + dir + "?durability=" + durability)) {
                Queue<byte[]> queue = baton.queue("bench", byte[].class);
                return SideBySide.queuePipeline(window, queue, queue, warmup, measure);
            } finally {
                SideBySide.deleteTree(dir);
            }
        }
    }

    /** What the disk can fsync: one thread appends 128 bytes and fdatasyncs, again and again. */
    record RawFsync(String name, Path scratch) implements SystemUnderTest {
        @Override
        public Result run(Duration warmup, Duration measure) throws IOException {
            Path file = Files.createTempFile(scratch, "fsync-", ".bin");
            Histogram latency = new Histogram(3);
            ByteBuffer record = ByteBuffer.allocate(SideBySide.SIZE);
            long count = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                long warmEnd = System.nanoTime() + warmup.toNanos();
                long end = warmEnd + measure.toNanos();
                long now;
                while ((now = System.nanoTime()) < end) {
                    record.clear();
                    ch.write(record);
                    ch.force(false);
                    if (now >= warmEnd) {
                        count++;
                        latency.recordValue(Math.max(1, System.nanoTime() - now));
                    }
                }
            } finally {
                Files.deleteIfExists(file);
            }
            return new Result(count / (measure.toNanos() / 1e9), latency);
        }
    }
}
