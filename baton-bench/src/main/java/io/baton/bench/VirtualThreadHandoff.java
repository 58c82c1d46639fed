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
import io.nats.client.impl.Headers;
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
 *       starts a virtual thread that answers (b); and (c) as (b), with the caller's deadline in a
 *       header ({@code baton-timeout-ms}) that the replier reads, as issue 5 requires of every
 *       {@code nats://} request; and (d) a virtual thread that reads a synchronous subscription
 *       itself and answers, so jnats's reader wakes it directly, with no dispatcher between.</li>
 * </ul>
 *
 * <p>The difference between (a) and (b) is the part of the {@code nats://} overhead figures
 * (docs/benchmarks.md) that comes from the virtual thread, not from Baton's layer; (c) is the
 * least any request/reply with those two requirements costs.
 *
 * <p>Run: {@code java -cp baton-bench/target/benchmarks.jar io.baton.bench.VirtualThreadHandoff
 * [--url nats://127.0.0.1:4222] [--workload queue|rpc|all] [--seconds 5] [--rounds 3] [--rate 5000]}.
 */
public final class VirtualThreadHandoff {
    static final String USAGE = "[--url nats://127.0.0.1:4222] [--workload queue|rpc|all] [--seconds N] [--rounds N] [--rate N]";
    private static final int SIZE = 128;
    private static final String DEADLINE_HEADER = "baton-timeout-ms";

    private VirtualThreadHandoff() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = SideBySide.options(args, USAGE);
        String url = options.getOrDefault("url", "nats://127.0.0.1:4222");
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "5"));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        int rate = Integer.parseInt(options.getOrDefault("rate", "5000"));
        String workload = options.getOrDefault("workload", "all");
        if (!workload.matches("queue|rpc|all")) throw new IllegalArgumentException("--workload is queue, rpc or all, not " + workload);
        for (int round = 1; round <= rounds && !workload.equals("rpc"); round++) {
            for (boolean virtual : new boolean[] {false, true}) {
                report("queue", round, virtual, queue(url, seconds, rate, virtual));
            }
        }
        for (int round = 1; round <= rounds && !workload.equals("queue"); round++) {
            for (Replier replier : Replier.values()) report("rpc", round, replier.label, rpc(url, seconds, replier));
        }
    }

    /** How the rpc workload's replier answers. */
    private enum Replier {
        PLATFORM("platform thread"),
        VIRTUAL("virtual thread"),
        VIRTUAL_WITH_DEADLINE("vt + deadline hdr"),
        SYNC_VIRTUAL("vt reads sync sub");

        final String label;

        Replier(String label) {
            this.label = label;
        }
    }

    private static void report(String workload, int round, boolean virtual, Histogram h) {
        report(workload, round, virtual ? "virtual thread" : "platform thread", h);
    }

    private static void report(String workload, int round, String how, Histogram h) {
        System.out.printf(Locale.ROOT, "%-5s round %d  %-17s p50 %,6d us  p90 %,6d us  p99 %,6d us  (%,d)%n", workload, round,
                how, h.getValueAtPercentile(50) / 1000, h.getValueAtPercentile(90) / 1000,
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

    private static Histogram rpc(String url, int seconds, Replier replier) throws Exception {
        Histogram h = new Histogram(3);
        Connection server = Nats.connect(url);
        Connection client = Nats.connect(url);
        try {
            Thread reader = null;
            if (replier == Replier.SYNC_VIRTUAL) {
                io.nats.client.Subscription sub = server.subscribe("vthandoff.rpc", "q");
                reader = Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            Message m = sub.nextMessage(Duration.ofSeconds(1));
                            if (m != null) server.publish(m.getReplyTo(), m.getData());
                        }
                    } catch (InterruptedException | IllegalStateException e) {
                        // done
                    }
                });
            }
            Dispatcher d = server.createDispatcher(m -> {
                switch (replier) {
                    case SYNC_VIRTUAL -> throw new IllegalStateException("the synchronous subscription's reader answers this replier's requests");
                    case PLATFORM -> server.publish(m.getReplyTo(), m.getData());
                    case VIRTUAL -> Thread.ofVirtual().start(() -> server.publish(m.getReplyTo(), m.getData()));
                    case VIRTUAL_WITH_DEADLINE -> {
                        long budget = Long.parseLong(m.getHeaders().getFirst(DEADLINE_HEADER));
                        if (budget <= 0) throw new IllegalStateException("a request past its deadline");
                        Thread.ofVirtual().start(() -> server.publish(m.getReplyTo(), m.getData()));
                    }
                }
            });
            if (reader == null) d.subscribe("vthandoff.rpc", "q");
            server.flush(Duration.ofSeconds(2));
            byte[] body = new byte[SIZE];
            long warmupEnds = System.nanoTime() + 1_000_000_000L;
            long ends = warmupEnds + seconds * 1_000_000_000L;
            for (long now = System.nanoTime(); now < ends; now = System.nanoTime()) {
                Message reply = replier == Replier.VIRTUAL_WITH_DEADLINE
                        ? client.request("vthandoff.rpc", new Headers().put(DEADLINE_HEADER, "5000"), body, Duration.ofSeconds(5))
                        : client.request("vthandoff.rpc", body, Duration.ofSeconds(5));
                if (reply == null) throw new IllegalStateException("no reply within 5 s");
                if (now > warmupEnds) h.recordValue(System.nanoTime() - now);
            }
            if (reader != null) reader.interrupt();
        } finally {
            client.close();
            server.close();
        }
        return h;
    }
}
