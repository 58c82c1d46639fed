package io.baton.nats;

import io.baton.InvalidNameException;
import io.baton.StartPosition;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
import io.baton.spi.TopicChannel;
import io.nats.client.Subscription;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.impl.NatsMessage;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;

/**
 * Topics on core NATS subjects under {@code PREFIX.t.}, with NATS's own wildcards. One JetStream
 * stream ({@code PREFIX_TOPICS}, limits retention by count, bytes and age) captures every topic
 * subject: it is the history replayed by {@code EARLIEST}, a sequence or a time, and the source of
 * durable subscriptions, each a durable pull consumer filtered by its pattern. Sequence numbers are
 * that stream's.
 *
 * <p>A publish goes through JetStream and completes once the stream stored it, so a durable
 * subscription cannot miss a publish that returned. Ephemeral subscribers are plain core NATS
 * subscriptions on the shared dispatcher and see it at once; they get sequence 0 (core NATS
 * carries none).
 */
final class NatsTopics implements TopicChannel {
    private final NatsBackend backend;

    NatsTopics(NatsBackend backend) {
        this.backend = backend;
    }

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        backend.ensureOpen();
        NatsMessage message = NatsMessage.builder().subject(backend.names().topicSubject(envelope.subject()))
                .headers(NatsHeaders.toNats(envelope, false)).data(envelope.payload()).build();
        backend.checkSize(message, "a message to '" + envelope.subject() + "'");
        try {
            return backend.jetStream().publishAsync(message).handle((ack, error) -> {
                if (error != null) throw backend.translate(NatsBackend.unwrap(error), "publishing to '" + envelope.subject() + "'");
                return null;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(backend.translate(e, "publishing to '" + envelope.subject() + "'"));
        }
    }

    @Override
    public AutoCloseable subscribe(String pattern, EnvelopeSink sink) {
        backend.ensureOpen();
        NatsNames names = backend.names();
        Subscription subscription = backend.dispatcher().subscribe(names.topicSubject(pattern), m ->
                sink.accept(NatsHeaders.toEnvelope(names.topicOf(m.getSubject()), m.getHeaders(), m.getData(), System.currentTimeMillis()), 0));
        return () -> {
            if (!backend.isClosed() && subscription.isActive()) backend.dispatcher().unsubscribe(subscription);
        };
    }

    @Override
    public DeliverySource durable(String name, String pattern, StartPosition start) {
        backend.ensureOpen();
        NatsNames names = backend.names();
        String consumer = names.durableConsumer(name);
        String filter = names.topicSubject(pattern);
        ConsumerConfiguration.Builder config = ConsumerConfiguration.builder()
                .durable(consumer)
                .description("Baton durable subscription '" + name + "' on '" + pattern + "'")
                .filterSubject(filter);
        switch (start.kind()) {
            case NEW -> config.deliverPolicy(DeliverPolicy.New);
            case EARLIEST -> config.deliverPolicy(DeliverPolicy.All);
            case SEQUENCE -> config.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(start.sequence());
            case TIME -> config.deliverPolicy(DeliverPolicy.ByStartTime).startTime(start.time().atZone(ZoneOffset.UTC));
        }
        String existing = backend.ensureConsumer(names.topicsStream(), config.build(), "durable subscription '" + name + "'");
        if (existing != null && !existing.equals(filter)) {
            String theirs = existing.startsWith(names.topicSubject("")) ? names.topicOf(existing) : existing;
            throw new InvalidNameException("durable subscription '" + name + "' exists with pattern '" + theirs + "', not '" + pattern + "'");
        }
        JetStreamSource source = new JetStreamSource(backend, name, names.topicsStream(), consumer, m -> names.topicOf(m.getSubject()));
        backend.register(source);
        return source;
    }
}
