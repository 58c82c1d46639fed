package io.baton.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.baton.Baton;
import io.baton.Subscription;
import io.baton.Topic;
import io.baton.bench.SideBySide.Receipts;
import io.baton.bench.SideBySide.Result;
import io.baton.bench.tool.PublisherConfirms;
import io.baton.bench.SideBySide.SystemUnderTest;
import io.baton.server.BatonServer;
import io.baton.server.ServerOptions;
import io.baton.spi.Backend;
import io.baton.spi.BackendProvider;
import io.baton.spi.Envelope;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Baton server ({@code baton://}, started in this JVM on a free port) against the peers on the
 * machine, each through its own Java client, side by side in one run, rounds alternating:
 * <ul>
 *   <li>{@code pubsub}: publish/subscribe 1 to 1, 128-byte messages, against NATS core (jnats). One
 *       publishing connection and one subscribing connection on each side; the publisher keeps at
 *       most {@code --pubsub-window} (default 1,000) messages published and not yet received
 *       ({@link SideBySide#paced}), so neither subscriber can be overrun and both publishers are
 *       paced by the same rule. The score is messages received per second. Baton is measured twice:
 *       through the public {@code Topic.publish} (which returns once the server has accepted the
 *       message) and through the backend SPI's asynchronous {@code TopicChannel.publish}, pipelined
 *       like jnats's {@code publish};</li>
 *   <li>{@code rpc}: one call in flight, 128 bytes each way, {@code baton.call} to a
 *       {@code baton.serve} echo on another client connection, against jnats's
 *       {@code Connection.request} to a dispatcher that replies on another connection. Latency
 *       percentiles of each call;</li>
 *   <li>{@code queue}: durable queue, send + consume + ack of 128-byte messages
 *       ({@link SideBySide#pipeline}, at most {@code --window} sends unconfirmed, default 256): the
 *       Baton server on {@code file:} storage (fsync, the default, and {@code durability=os}), a
 *       JetStream file work-queue stream ({@link JetStreamWorkQueue}), and a RabbitMQ durable
 *       queue (persistent messages, publisher confirms, a consumer with manual acks and a prefetch
 *       of {@code --prefetch}, default 256). The score is messages consumed per second; the latency
 *       a send's confirmation.</li>
 * </ul>
 * Every run starts from nothing: a new Baton server (and a new directory), a new stream or queue.
 *
 * <p>Run: {@code java -cp baton-bench/target/benchmarks.jar io.baton.bench.ServerComparison
 * [--workload pubsub|rpc|queue|all] [--rounds 3] [--seconds 5] [--warmup 2]}; see {@link #USAGE}
 * for the rest and docs/benchmarks.md for results.
 */
public final class ServerComparison {
    static final String USAGE = "[--workload pubsub|rpc|queue|all] [--rounds N] [--seconds N] [--warmup N] [--window N]"
            + " [--pubsub-window N] [--prefetch N] [--nats URL] [--amqp URI] [--dir DIR] [--only TEXT]";

    private static final String SUBJECT = "bench.echo";

    static final String BATON_PUBLISH = "baton: Topic.publish -> subscribe";
    static final String BATON_PIPELINED = "baton: SPI publish, pipelined -> subscribe";
    static final String NATS_PUBLISH = "nats core: publish -> dispatcher";
    static final String BATON_CALL = "baton: call -> serve";
    static final String NATS_REQUEST = "nats: request -> dispatcher reply";
    static final String BATON_FSYNC = "baton server file: fsync";
    static final String BATON_OS = "baton server file: os";
    static final String JETSTREAM = "jetstream file work-queue";
    static final String RABBITMQ = "rabbitmq durable queue, confirms";

    private ServerComparison() {}

    /** How a goal compares two systems: throughput (higher is better) or median latency (lower is better). */
    enum Metric { RATE, P50 }

    /** A DESIGN.md goal, or with {@code counts} false a ratio shown for information. */
    record Goal(String workload, String baton, String peer, Metric metric, double target, boolean counts) {
        double ratio(Result b, Result p) {
            return metric == Metric.RATE ? b.perSecond() / p.perSecond() : (double) b.percentileNanos(50) / p.percentileNanos(50);
        }

        boolean met(double ratio) {
            return metric == Metric.RATE ? ratio >= target : ratio <= target;
        }

        String goal() {
            return String.format(Locale.ROOT, metric == Metric.RATE ? ">= %.1fx" : "p50 <= %.1fx", target);
        }

        String value(Result r) {
            return metric == Metric.RATE ? String.format(Locale.ROOT, "%,.0f /s", r.perSecond()) : SideBySide.micros(r.percentileNanos(50));
        }

        Comparator<Result> order() {
            return metric == Metric.RATE ? SideBySide.BY_RATE : SideBySide.BY_P50;
        }
    }

    /** One workload: its systems, how its table reads ({@code latencyName} null: no latency), and its goals. */
    record Workload(String title, String rateUnit, String latencyName, Comparator<Result> order,
                    List<SystemUnderTest> systems, List<Goal> goals) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = SideBySide.options(args, USAGE);
        String workload = options.getOrDefault("workload", "all");
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        Duration measure = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "5")));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "2")));
        int window = Integer.parseInt(options.getOrDefault("window", "256"));
        int pubsubWindow = Integer.parseInt(options.getOrDefault("pubsub-window", "1000"));
        int prefetch = Integer.parseInt(options.getOrDefault("prefetch", "256"));
        String nats = options.getOrDefault("nats", "nats://127.0.0.1:4222");
        String amqp = options.getOrDefault("amqp", "amqp://guest:guest@127.0.0.1:5672");
        Path scratch = Files.createTempDirectory(Path.of(options.getOrDefault("dir", ".")).toAbsolutePath(), "baton-bench-");

        List<Workload> workloads = new ArrayList<>();
        if (workload.equals("all") || workload.equals("pubsub")) {
            String what = "pub/sub 1->1, 128 B, msgs/s received";
            workloads.add(new Workload("pub/sub 1->1, 128 B", "msgs/s received", null, SideBySide.BY_RATE,
                    List.of(new BatonPubSub(BATON_PUBLISH, false, pubsubWindow), new BatonPubSub(BATON_PIPELINED, true, pubsubWindow),
                            new NatsPubSub(NATS_PUBLISH, nats, pubsubWindow)),
                    List.of(new Goal(what, BATON_PUBLISH, NATS_PUBLISH, Metric.RATE, 1.0, true),
                            new Goal(what, BATON_PIPELINED, NATS_PUBLISH, Metric.RATE, 1.0, false))));
        }
        if (workload.equals("all") || workload.equals("rpc")) {
            workloads.add(new Workload("RPC, one call in flight, 128 B", "calls/s", "call", SideBySide.BY_P50,
                    List.of(new BatonRpc(BATON_CALL), new NatsRpc(NATS_REQUEST, nats)),
                    List.of(new Goal("RPC, one call in flight, p50", BATON_CALL, NATS_REQUEST, Metric.P50, 0.5, true))));
        }
        if (workload.equals("all") || workload.equals("queue")) {
            String what = "durable queue, 128 B, msgs/s consumed";
            workloads.add(new Workload("durable queue send+consume+ack, 128 B", "msgs/s consumed", "send-confirm", SideBySide.BY_RATE,
                    List.of(new BatonServerQueue(BATON_FSYNC, scratch, "", window),
                            new BatonServerQueue(BATON_OS, scratch, "?durability=os", window),
                            new JetStreamWorkQueue(JETSTREAM, nats, window),
                            new RabbitQueue(RABBITMQ, amqp, window, prefetch)),
                    List.of(new Goal(what, BATON_FSYNC, JETSTREAM, Metric.RATE, 3.0, true),
                            new Goal(what, BATON_FSYNC, RABBITMQ, Metric.RATE, 10.0, true),
                            new Goal(what, BATON_OS, JETSTREAM, Metric.RATE, 3.0, false),
                            new Goal(what, BATON_OS, RABBITMQ, Metric.RATE, 10.0, false))));
        }
        if (workloads.isEmpty()) throw new IllegalArgumentException("--workload must be pubsub, rpc, queue or all, not " + workload);

        // --only runs the systems whose name contains TEXT, to profile one of them alone
        String only = options.getOrDefault("only", "");
        List<SystemUnderTest> systems = workloads.stream().flatMap(w -> w.systems().stream())
                .filter(s -> s.name().contains(only)).toList();
        Map<String, List<Result>> results;
        try {
            results = SideBySide.alternate(rounds, systems, warmup, measure, System.out);
        } finally {
            SideBySide.deleteTree(scratch);
        }
        printTables(workloads, results, rounds);
    }

    private static void printTables(List<Workload> workloads, Map<String, List<Result>> results, int rounds) {
        for (Workload w : workloads) {
            System.out.printf(Locale.ROOT, "%n### %s (median of %d rounds)%n%n", w.title(), rounds);
            SideBySide.printTable(System.out, w.rateUnit(), w.latencyName(), results,
                    w.systems().stream().map(SystemUnderTest::name).toList(), w.order());
        }
        System.out.printf("%n### Goals (DESIGN.md, Performance)%n%n");
        System.out.println("| workload | Baton | peer | Baton | peer | ratio | goal | met? |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Workload w : workloads) {
            for (Goal g : w.goals()) {
                List<Result> baton = results.get(g.baton());
                List<Result> peer = results.get(g.peer());
                if (baton == null || peer == null) {
                    System.out.printf("| %s | %s | %s | - | - | - | %s | no result |%n", g.workload(), g.baton(), g.peer(), g.goal());
                    continue;
                }
                Result b = SideBySide.median(baton, g.order());
                Result p = SideBySide.median(peer, g.order());
                double ratio = g.ratio(b, p);
                String met = g.met(ratio) ? "yes" : "**no**";
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2fx | %s | %s |%n", g.workload(), g.baton(), g.peer(),
                        g.value(b), g.value(p), ratio, g.counts() ? g.goal() : "(" + g.goal() + ", for information)",
                        g.counts() ? met : "(" + met.replace("*", "") + ")");
            }
        }
    }

    // ---- Baton --------------------------------------------------------------------------------------

    /** A Baton server in this JVM, on a free loopback port, storing in {@code storage}. */
    private static BatonServer startServer(String storage) {
        return BatonServer.start(ServerOptions.builder().port(0).storage(storage).build());
    }

    private static String url(BatonServer server) {
        return "baton://127.0.0.1:" + server.port();
    }

    /** The {@code baton://} backend itself, below the typed API, for a publisher that does not wait for each publish. */
    private static Backend openBackend(String url) {
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            if (provider.scheme().equals("baton")) return provider.open(url);
        }
        throw new IllegalStateException("no baton:// backend on the class path");
    }

    /**
     * Publish/subscribe through a Baton server: one client subscribes ephemerally (its handler, on a
     * virtual thread, counts), another publishes: through {@code Topic.publish}, which waits for the
     * server's OK, or ({@code pipelined}) through the backend's {@code TopicChannel.publish} without
     * waiting, as jnats's {@code publish} does not.
     */
    record BatonPubSub(String name, boolean pipelined, int window) implements SystemUnderTest {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            byte[] payload = new byte[SideBySide.SIZE];
            Receipts receipts = new Receipts(window);
            try (BatonServer server = startServer("mem:");
                 Baton subscriber = Baton.connect(url(server))) {
                Subscription subscription = subscriber.topic(SUBJECT, byte[].class).subscribe(body -> receipts.received());
                try {
                    if (!pipelined) {
                        try (Baton publisher = Baton.connect(url(server))) {
                            Topic<byte[]> topic = publisher.topic(SUBJECT, byte[].class);
                            return SideBySide.paced(receipts, () -> topic.publish(payload), warmup, measure);
                        }
                    }
                    try (Backend publisher = openBackend(url(server))) {
                        AtomicReference<Throwable> failure = new AtomicReference<>();
                        Result r = SideBySide.paced(receipts, () -> publisher.topics().publish(Envelope.of(SUBJECT, payload))
                                .exceptionally(e -> {
                                    failure.compareAndSet(null, e);
                                    return null;
                                }), warmup, measure);
                        if (failure.get() != null) throw new IllegalStateException("a publish failed", failure.get());
                        return r;
                    }
                } finally {
                    subscription.close();
                    if (server.metrics().slowConsumersCutOff() > 0) {
                        System.err.println(name + ": the server cut off " + server.metrics().slowConsumersCutOff() + " slow subscriptions");
                    }
                }
            }
        }
    }

    /** RPC through a Baton server: one client serves an echo, another calls it, one call at a time. */
    record BatonRpc(String name) implements SystemUnderTest {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            byte[] payload = new byte[SideBySide.SIZE];
            try (BatonServer server = startServer("mem:");
                 Baton servant = Baton.connect(url(server));
                 Baton caller = Baton.connect(url(server))) {
                servant.serve(SUBJECT, byte[].class, body -> body);
                return SideBySide.oneInFlight(() -> checkEcho(caller.call(SUBJECT, payload, byte[].class)), warmup, measure);
            }
        }
    }

    /**
     * A durable queue on a Baton server with {@code file:} storage ({@code options} appended to its
     * URL: empty for the default, fsync): one client sends with {@code sendAsync}, which completes
     * when the server has stored the message as durably as its storage promises; another consumes,
     * acking each message as its handler returns.
     */
    record BatonServerQueue(String name, Path scratch, String options, int window) implements SystemUnderTest {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            Path dir = Files.createTempDirectory(scratch, "server-");
            try (BatonServer server = startServer("file:" + dir + options);
                 Baton producer = Baton.connect(url(server));
                 Baton consumerSide = Baton.connect(url(server))) {
                return SideBySide.queuePipeline(window, producer.queue("bench", byte[].class),
                        consumerSide.queue("bench", byte[].class), warmup, measure);
            } finally {
                SideBySide.deleteTree(dir);
            }
        }
    }

    // ---- NATS core ----------------------------------------------------------------------------------

    /** NATS core publish/subscribe: one connection publishes, a dispatcher on another counts. */
    record NatsPubSub(String name, String url, int window) implements SystemUnderTest {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            byte[] payload = new byte[SideBySide.SIZE];
            Receipts receipts = new Receipts(window);
            // closed by hand: jnats's close() throws InterruptedException, which try-with-resources would warn about
            Connection publisher = Nats.connect(url);
            Connection subscriber = Nats.connect(url);
            try {
                Dispatcher dispatcher = subscriber.createDispatcher(message -> receipts.received());
                dispatcher.subscribe(SUBJECT);
                subscriber.flush(Duration.ofSeconds(5)); // the server has the subscription before the first publish
                return SideBySide.paced(receipts, () -> publisher.publish(SUBJECT, payload), warmup, measure);
            } finally {
                publisher.close();
                subscriber.close();
            }
        }
    }

    /** NATS request/reply: a dispatcher on one connection echoes; {@code request} on another calls, one at a time. */
    record NatsRpc(String name, String url) implements SystemUnderTest {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            byte[] payload = new byte[SideBySide.SIZE];
            Connection servant = Nats.connect(url);
            Connection caller = Nats.connect(url);
            try {
                Dispatcher dispatcher = servant.createDispatcher(request -> servant.publish(request.getReplyTo(), request.getData()));
                dispatcher.subscribe(SUBJECT);
                servant.flush(Duration.ofSeconds(5));
                return SideBySide.oneInFlight(() -> {
                    Message reply = caller.request(SUBJECT, payload, Duration.ofSeconds(5));
                    if (reply == null) throw new IllegalStateException("no reply within 5 s");
                    checkEcho(reply.getData());
                }, warmup, measure);
            } finally {
                caller.close();
                servant.close();
            }
        }
    }

    // ---- RabbitMQ -----------------------------------------------------------------------------------

    /**
     * A RabbitMQ durable (classic) queue: one connection publishes persistent messages on a channel
     * in confirm mode, each send's future completed by the broker's (possibly multiple) ack; a
     * consumer on another connection, with manual acks and a prefetch of {@code prefetch}, acks
     * each message. A fresh queue per run, deleted afterwards.
     */
    record RabbitQueue(String name, String uri, int window, int prefetch) implements SystemUnderTest {
        @Override
        public Result run(Duration warmup, Duration measure) throws Exception {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(uri);
            String queueName = "baton.bench." + System.nanoTime();
            byte[] payload = new byte[SideBySide.SIZE];
            LongAdder consumed = new LongAdder();
            try (com.rabbitmq.client.Connection producerConnection = factory.newConnection("baton-bench-producer");
                 com.rabbitmq.client.Connection consumerConnection = factory.newConnection("baton-bench-consumer")) {
                Channel producer = producerConnection.createChannel();
                producer.queueDeclare(queueName, true, false, false, null);
                try {
                    PublisherConfirms confirms = new PublisherConfirms(producer);
                    Channel consumer = consumerConnection.createChannel();
                    consumer.basicQos(prefetch);
                    String consumerTag = consumer.basicConsume(queueName, false, (tag, delivery) -> {
                        consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                        consumed.increment();
                    }, tag -> { });
                    try {
                        return SideBySide.pipeline(window, () -> {
                            CompletableFuture<Void> confirmed = confirms.next();
                            producer.basicPublish("", queueName, MessageProperties.PERSISTENT_BASIC, payload);
                            return confirmed;
                        }, consumed, warmup, measure);
                    } finally {
                        consumer.basicCancel(consumerTag);
                    }
                } finally {
                    producer.queueDelete(queueName);
                }
            }
        }
    }

    private static void checkEcho(byte[] reply) {
        if (reply.length != SideBySide.SIZE) {
            throw new IllegalStateException("a reply of " + reply.length + " B came back for a request of " + SideBySide.SIZE + " B");
        }
    }
}
