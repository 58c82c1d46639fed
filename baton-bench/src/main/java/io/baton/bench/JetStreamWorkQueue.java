package io.baton.bench;

import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The durable-queue peer: a JetStream file-backed work-queue stream through jnats, on the NATS
 * server at {@code url}. One connection publishes with {@code publishAsync} (at most {@code window}
 * unconfirmed, {@link SideBySide#pipeline}); a durable pull consumer with explicit acks
 * ({@code ConsumerContext.consume}, {@code message.ack()} per message) takes them on its own
 * connection. A fresh stream per run, deleted afterwards.
 *
 * <p>The stream and the consumer are {@link #workQueueStream} and {@link #consumeAndAck}, which
 * {@code baton bench} ({@link io.baton.bench.tool}) uses too for its NATS queue.
 */
public record JetStreamWorkQueue(String name, String url, int window) implements SideBySide.SystemUnderTest {
    /** The durable pull consumer every queue consumer shares: competing consumers, as on a Baton queue. */
    public static final String CONSUMER = "bench";

    @Override
    public SideBySide.Result run(Duration warmup, Duration measure) throws Exception {
        String stream = "BATON_BENCH_" + System.nanoTime();
        String subject = "baton.bench." + stream;
        byte[] payload = new byte[SideBySide.SIZE];
        LongAdder consumed = new LongAdder();
        // closed by hand: jnats's close() throws InterruptedException, which try-with-resources would warn about
        Connection producer = Nats.connect(url);
        Connection consumerConnection = Nats.connect(url);
        JetStreamManagement jsm = producer.jetStreamManagement();
        try {
            jsm.addStream(workQueueStream(stream, subject, StorageType.File));
            JetStream js = producer.jetStream();
            MessageConsumer consumer = consumeAndAck(consumerConnection, stream, CONSUMER, body -> consumed.increment());
            try {
                return SideBySide.pipeline(window, () -> js.publishAsync(subject, payload), consumed, warmup, measure);
            } finally {
                consumer.close();
            }
        } finally {
            jsm.deleteStream(stream);
            consumerConnection.close();
            producer.close();
        }
    }

    /** A work-queue stream on {@code subject}: each message is removed once acked, as on a queue. */
    public static StreamConfiguration workQueueStream(String stream, String subject, StorageType storage) {
        return StreamConfiguration.builder().name(stream).subjects(subject)
                .retentionPolicy(RetentionPolicy.WorkQueue).storageType(storage).build();
    }

    /**
     * Consumes {@code stream} through the durable pull consumer {@code durable} (created if new, with
     * explicit acks) on {@code connection}: each message is acked, then its data handed to
     * {@code onMessage}, on jnats's dispatch thread. Several calls with one durable name compete
     * for its messages.
     */
    public static MessageConsumer consumeAndAck(Connection connection, String stream, String durable, Consumer<byte[]> onMessage)
            throws IOException, JetStreamApiException {
        ConsumerContext context = connection.getStreamContext(stream).createOrUpdateConsumer(
                ConsumerConfiguration.builder().durable(durable).ackPolicy(AckPolicy.Explicit).build());
        return context.consume(message -> {
            message.ack();
            onMessage.accept(message.getData());
        });
    }
}
