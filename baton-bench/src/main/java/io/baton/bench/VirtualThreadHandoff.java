package io.baton.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * What a virtual thread costs a message on this machine, with no Baton at all: raw jnats against
 * the NATS server, each workload twice, the only difference being the thread that handles a
 * message, (a) a platform thread, as jnats's own consumers and dispatchers use, and (b) a virtual
 * thread, as DESIGN.md requires of every Baton handler.
 *
 * <ul>
 *   <li>queue: a JetStream work queue (file storage) fed at {@code --rate} messages a second; one
 *       loop keeps a pull request open (256 asked for, topped up at half, as Baton's consumer
 *       does), waits in {@code nextMessage}, acks. Latency from the send to the loop having it.</li>
 *   <li>rpc: one call in flight; the replier's dispatcher answers on its own thread (a), or
 *       starts a virtual thread that answers (b).</li>
 * </ul>
 *
 * <p>The difference between (a) and (b) is the part of the {@code nats://} overhead figures
 * (docs/benchmarks.md) that comes from the virtual thread, not from Baton's layer.
 *
 * <p>Run: {@code java -cp baton-bench/target/benchmarks.jar io.baton.bench.VirtualThreadHandoff
 * [--url nats://127.0.0.1:4222] [--seconds 5] [--rounds 3] [--rate 5000]}.
 */
public final class VirtualThreadHandoff {
    static final String USAGE = "[--url nats://127.0.0.1:4222] [--seconds N] [--rounds N] [--rate N]";
    private static final int SIZE = 128;

    private VirtualThreadHandoff() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = SideBySide.options(args, USAGE);
        String url = options.getOrDefault("url", "nats://127.0.0.1:4222");
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "5"));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        int rate = Integer.parseInt(options.getOrDefault("rate", "5000"));
        for (int round = 1; round <= rounds; round++) {
            for (boolean virtual : new boolean[] {false, true}) {
                report("queue", round, virtual, queue(url, seconds, rate, virtual));
            }
        }
        for (int round = 1; round <= rounds; round++) {
            for (boolean virtual : new boolean[] {false, true}) {
                report("rpc", round, virtual, rpc(url, seconds, virtual));
            }
        }
    }

    private static void report(String workload, int round, boolean virtual, Histogram h) {
        System.out.printf(Locale.ROOT, "%-5s round %d  %-16s p50 %,6d us  p90 %,6d us  p99 %,6d us  (%,d)%n", workload, round,
                virtual ? "virtual thread" : "platform thread", h.getValueAtPercentile(50) / 1000, h.getValueAtPercentile(90) / 1000,
                h.getValueAtPercentile(99) / 1000, h.getTotalCount());
    }

    private static Histogram queue(String url, int seconds, int rate, boolean virtual) throws Exception {
        String stream = "VTHANDOFF";
        Histogram h = new Histogram(3);
        Connection producer = Nats.connect(url);
        Connection consumer = Nats.connect(url);
        try {
            JetStreamManagement jsm = producer.jetStreamManagement();
            if (jsm.getStreamNames().contains(stream)) jsm.deleteStream(stream);
            jsm.addStream(StreamConfiguration.builder().name(stream).subjects("vthandoff").retentionPolicy(RetentionPolicy.WorkQueue)
                    .storageType(StorageType.File).build());
            jsm.addOrUpdateConsumer(stream, ConsumerConfiguration.builder().durable("c").ackPolicy(AckPolicy.Explicit).build());
            JetStreamSubscription sub = consumer.jetStream().subscribe(null, PullSubscribeOptions.fastBind(stream, "c"));
            long warmupEnds = System.nanoTime() + 1_000_000_000L;
            Runnable loop = () -> {
                int coming = 0;
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        if (coming < 128) {
                            sub.pullExpiresIn(256 - coming, 900);
                            coming = 256;
                        }
                        Message m = sub.nextMessage(Duration.ofSeconds(1));
                        if (m == null) {
                            coming = 0;
                            continue;
                        }
                        coming--;
                        long latency = System.nanoTime() - ByteBuffer.wrap(m.getData()).getLong();
                        if (System.nanoTime() > warmupEnds) {
                            synchronized (h) {
                                h.recordValue(Math.max(0, latency));
                            }
                        }
                        m.ack();
                    }
                } catch (InterruptedException | IllegalStateException e) {
                    // done
                }
            };
            Thread consuming = virtual ? Thread.ofVirtual().start(loop) : Thread.ofPlatform().daemon().start(loop);
            JetStream js = producer.jetStream();
            long start = System.nanoTime();
            long interval = 1_000_000_000L / rate;
            long total = (long) (seconds + 1) * rate;
            for (long i = 0; i < total; i++) {
                long due = start + i * interval;
                for (long left; (left = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
                byte[] body = new byte[SIZE];
                ByteBuffer.wrap(body).putLong(System.nanoTime());
                js.publishAsync("vthandoff", body);
            }
            Thread.sleep(500);
            consuming.interrupt();
            consuming.join(5_000);
            jsm.deleteStream(stream);
        } finally {
            consumer.close();
            producer.close();
        }
        synchronized (h) {
            return h.copy();
        }
    }

    private static Histogram rpc(String url, int seconds, boolean virtual) throws Exception {
        Histogram h = new Histogram(3);
        Connection server = Nats.connect(url);
        Connection client = Nats.connect(url);
        try {
            Dispatcher d = server.createDispatcher(m -> {
                if (virtual) Thread.ofVirtual().start(() -> server.publish(m.getReplyTo(), m.getData()));
                else server.publish(m.getReplyTo(), m.getData());
            });
            d.subscribe("vthandoff.rpc", "q");
            server.flush(Duration.ofSeconds(2));
            byte[] body = new byte[SIZE];
            long warmupEnds = System.nanoTime() + 1_000_000_000L;
            long ends = warmupEnds + seconds * 1_000_000_000L;
            for (long now = System.nanoTime(); now < ends; now = System.nanoTime()) {
                Message reply = client.request("vthandoff.rpc", body, Duration.ofSeconds(5));
                if (reply == null) throw new IllegalStateException("no reply within 5 s");
                if (now > warmupEnds) h.recordValue(System.nanoTime() - now);
            }
        } finally {
            client.close();
            server.close();
        }
        return h;
    }
}
