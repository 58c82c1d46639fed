package io.baton.bench.tool;

import io.baton.Baton;
import io.baton.ConsumeOptions;
import io.baton.Queue;
import io.baton.SubscribeOptions;
import io.baton.Subscription;
import io.baton.Topic;
import java.util.function.Supplier;

/**
 * Baton on any URL, through the public API only ({@code io.baton}), as a user's program would use it:
 * <ul>
 *   <li>queue {@value #QUEUE}: producers {@code Queue.sendAsync} (the confirmation is the future:
 *       the message is as safe as the backend makes it), consumers {@code Queue.consume} (concurrency
 *       1 each, ack on return);</li>
 *   <li>pubsub {@value #SUBJECT}: publishers {@code Topic.publish}, subscribers {@code Topic.subscribe},
 *       ephemeral or durable ({@code bench.sub.N}, start NEW);</li>
 *   <li>rpc {@value #SUBJECT}: servers {@code serve} an echo, callers {@code call} it.</li>
 * </ul>
 * In-process backends ({@code mem:}, {@code file:}) run on one connection, as one JVM would; the
 * others give every producer and every consumer its own connection, as NATS and RabbitMQ do here.
 * The names are fixed, so a durable backend keeps one queue and one subscription per name; a
 * message a stopped run left behind carries another run's id and is ignored.
 */
public final class BatonTarget implements BenchSystem {
    static final String QUEUE = "bench.queue";
    static final String SUBJECT = "bench.subject";

    private final String url;

    public BatonTarget(String url) {
        this.url = url;
    }

    @Override
    public String name() {
        return "baton";
    }

    @Override
    public boolean isBaton() {
        return true;
    }

    private boolean inProcess() {
        return url.startsWith("mem:") || url.startsWith("file:");
    }

    @Override
    public String label(BenchSpec spec) {
        return "baton " + url;
    }

    @Override
    public String describe(BenchSpec spec) {
        String connections = inProcess() ? "one connection (in-process backend)" : "a connection per producer and per " + spec.consumerRole();
        return switch (spec.workload()) {
            case QUEUE -> "queue `" + QUEUE + "`: `Queue.sendAsync` (confirmed when the backend holds the message as safely as it "
                    + "promises), `Queue.consume` with concurrency 1 per consumer, acked on return; " + connections;
            case PUBSUB -> "topic `" + SUBJECT + "`: `Topic.publish`, " + (spec.durable() ? "durable subscriptions `bench.sub.N` (at least once, acked)"
                    : "ephemeral subscriptions (at most once)") + "; " + connections;
            case RPC -> "`serve` an echo on `" + SUBJECT + "`, `call` it, one call in flight per caller; " + connections;
        };
    }

    @Override
    public void probe() {
        Baton.connect(url).close();
    }

    @Override
    public Session open(BenchSpec spec, Meter meter) throws Exception {
        return Endpoints.build(session -> {
            Cleanup cleanup = session.cleanup;
            Supplier<Baton> connection;
            if (inProcess()) {
                Baton shared = Baton.connect(url);
                cleanup.add(shared::close);
                connection = () -> shared;
            } else {
                connection = () -> {
                    Baton baton = Baton.connect(url);
                    cleanup.add(baton::close);
                    return baton;
                };
            }
            for (int i = 0; i < spec.consumers(); i++) {
                Subscription s = switch (spec.workload()) {
                    case QUEUE -> connection.get().queue(QUEUE, byte[].class).consume(meter::received, ConsumeOptions.defaults());
                    case PUBSUB -> connection.get().topic(SUBJECT, byte[].class).subscribe(meter::received,
                            spec.durable() ? SubscribeOptions.durable("bench.sub." + i) : SubscribeOptions.defaults());
                    case RPC -> connection.get().serve(SUBJECT, byte[].class, body -> body);
                };
                cleanup.add(s::close);
                // a subscription Baton stops (a slow subscriber cut off, say) ends the run with the reason
                s.closed().whenComplete((ok, error) -> {
                    if (error != null) meter.fail(error);
                });
            }
            for (int i = 0; i < spec.producers(); i++) {
                Baton baton = connection.get();
                switch (spec.workload()) {
                    case QUEUE -> {
                        Queue<byte[]> queue = baton.queue(QUEUE, byte[].class);
                        session.addSender(queue::sendAsync);
                    }
                    case PUBSUB -> {
                        Topic<byte[]> topic = baton.topic(SUBJECT, byte[].class);
                        session.addSender(body -> {
                            topic.publish(body);
                            return null;
                        });
                    }
                    case RPC -> session.addCaller(body -> baton.call(SUBJECT, body, byte[].class));
                }
            }
        });
    }
}
