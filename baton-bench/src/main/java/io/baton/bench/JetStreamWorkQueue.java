package io.baton.bench;

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
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * The durable-queue peer: a JetStream file-backed work-queue stream through jnats, on the NATS
 * server at {@code url}. One connection publishes with {@code publishAsync} (at most {@code window}
 * unconfirmed, {@link SideBySide#pipeline}); a durable pull consumer with explicit acks
 * ({@code ConsumerContext.consume}, {@code message.ack()} per message) takes them on its own
 * connection. A fresh stream per run, deleted afterwards.
 */
record JetStreamWorkQueue(String name, String url, int window) implements SideBySide.SystemUnderTest {
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
}
