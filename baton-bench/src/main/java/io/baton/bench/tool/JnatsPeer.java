package io.baton.bench.tool;

import io.baton.bench.JetStreamWorkQueue;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;

/**
 * NATS through jnats, its own Java client, each producer and each consumer on its own connection:
 * <ul>
 *   <li>queue: a JetStream work-queue stream (file storage when durable, memory otherwise), new for
 *       the run; producers {@code publishAsync} (confirmed by the PubAck), consumers share one
 *       durable pull consumer with explicit acks ({@link JetStreamWorkQueue#consumeAndAck}). The
 *       shape of Baton's own {@code nats://} queue, so that {@code --url nats://} against this peer
 *       compares like with like;</li>
 *   <li>pubsub: core NATS {@code publish} to dispatcher subscriptions (at most once); durable: a
 *       JetStream stream (limits, file) with {@code publishAsync}, each subscriber its own durable
 *       pull consumer with explicit acks;</li>
 *   <li>rpc: {@code request} to dispatchers in one queue group that reply with the body.</li>
 * </ul>
 * Streams are deleted after the run.
 */
public final class JnatsPeer implements BenchSystem {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String url;

    public JnatsPeer(String url) {
        this.url = url;
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public String label(BenchSpec spec) {
        return switch (spec.workload()) {
            case QUEUE -> "nats jetstream work-queue, " + (spec.durable() ? "file" : "memory");
            case PUBSUB -> spec.durable() ? "nats jetstream durable consumers, file" : "nats core";
            case RPC -> "nats request/reply";
        };
    }

    @Override
    public String describe(BenchSpec spec) {
        String what = switch (spec.workload()) {
            case QUEUE -> "a JetStream work-queue stream with " + (spec.durable() ? "file" : "memory") + " storage; producers `publishAsync` "
                    + "(confirmed by the PubAck), consumers share one durable pull consumer (`consume`, explicit `ack` per message)";
            case PUBSUB -> spec.durable()
                    ? "a JetStream stream (limits retention, file storage); publishers `publishAsync`, each subscriber its own durable pull consumer, explicit acks"
                    : "core NATS: publishers `publish` (nothing confirmed), subscribers on a `Dispatcher` (at most once)";
            case RPC -> "`request` with a " + TIMEOUT.toSeconds() + " s timeout to `Dispatcher`s in one queue group that publish the body back";
        };
        return what + "; jnats, a connection per producer and per " + spec.consumerRole() + ", server " + url;
    }

    private Connection connect() throws Exception {
        return Nats.connect(Options.builder().server(url).connectionTimeout(Duration.ofSeconds(2)).maxReconnects(0).build());
    }

    @Override
    public void probe() throws Exception {
        try {
            connect().close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to " + url + ": " + Progress.reason(e), e);
        }
    }

    @Override
    public Session open(BenchSpec spec, Meter meter) throws Exception {
        return Endpoints.build(session -> {
            Cleanup cleanup = session.cleanup;
            String id = "BATON_BENCH_" + System.nanoTime();
            String subject = "baton.bench." + id;
            boolean jetStream = spec.workload() == Workload.QUEUE || spec.workload() == Workload.PUBSUB && spec.durable();
            if (jetStream) {
                Connection admin = connect();
                cleanup.add(admin::close);
                JetStreamManagement jsm = admin.jetStreamManagement();
                StorageType storage = spec.durable() ? StorageType.File : StorageType.Memory;
                jsm.addStream(spec.workload() == Workload.QUEUE ? JetStreamWorkQueue.workQueueStream(id, subject, storage)
                        : StreamConfiguration.builder().name(id).subjects(subject).retentionPolicy(RetentionPolicy.Limits).storageType(storage).build());
                cleanup.add(() -> jsm.deleteStream(id));
            }
            for (int i = 0; i < spec.consumers(); i++) {
                Connection c = connect();
                cleanup.add(c::close);
                if (jetStream) {
                    String durable = spec.workload() == Workload.QUEUE ? JetStreamWorkQueue.CONSUMER : "sub" + i;
                    MessageConsumer consumer = JetStreamWorkQueue.consumeAndAck(c, id, durable, meter::received);
                    cleanup.add(consumer::close);
                } else if (spec.workload() == Workload.PUBSUB) {
                    Dispatcher d = c.createDispatcher(m -> meter.received(m.getData()));
                    d.subscribe(subject);
                    c.flush(TIMEOUT); // the server has the subscription before the first publish
                } else {
                    Dispatcher d = c.createDispatcher(m -> c.publish(m.getReplyTo(), m.getData()));
                    d.subscribe(subject, "bench");
                    c.flush(TIMEOUT);
                }
            }
            for (int i = 0; i < spec.producers(); i++) {
                Connection c = connect();
                cleanup.add(c::close);
                if (jetStream) {
                    JetStream js = c.jetStream();
                    session.addSender(body -> js.publishAsync(subject, body));
                } else if (spec.workload() == Workload.PUBSUB) {
                    session.addSender(body -> {
                        c.publish(subject, body);
                        return null;
                    });
                } else {
                    session.addCaller(body -> {
                        Message reply = c.request(subject, body, TIMEOUT);
                        if (reply == null) throw new IllegalStateException("no reply within " + TIMEOUT.toSeconds() + " s");
                        return reply.getData();
                    });
                }
            }
        });
    }
}
