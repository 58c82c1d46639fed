package io.baton.nats;

import io.baton.InvalidNameException;
import io.baton.StartPosition;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
import io.baton.spi.TopicChannel;
import io.nats.client.Subscription;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;

/**
 * Topics on core NATS subjects under {@code PREFIX.t.}, with NATS's own wildcards. One JetStream
 * stream ({@code PREFIX_TOPICS}, limits retention by count, bytes and age) captures every topic
 * subject: it is the history replayed by {@code EARLIEST}, a sequence or a time, and the source of
 * durable subscriptions, each a durable pull consumer filtered by its pattern. Sequence numbers are
 * that stream's.
 *
 * <p>A publish goes through JetStream, pipelined: it returns once handed to the connection, and
 * the stream's acknowledgement comes back later, as jnats's {@code publishAsync} and NATS core's
 * {@code publish} do (a publish that waited for its acknowledgement would cost a round trip each).
 * A failure a stream reports is thrown by the next publish, and logged. At most
 * {@value #MAX_UNACKNOWLEDGED} publishes wait for their acknowledgement; one more waits for room.
 * Creating a durable subscription first waits until every earlier publish is stored, so that
 * {@code NEW} and {@code EARLIEST} mean what they say; so does closing the backend. Ephemeral
 * subscribers are plain core NATS subscriptions on the shared dispatcher and see a publish at
 * once; they get sequence 0 (core NATS carries none).
 *
 * <p>With {@code history=false} in the URL nothing is stored: a publish is a core NATS publish,
 * and durable subscriptions and replay are not offered.
 */
final class NatsTopics implements TopicChannel {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NatsTopics.class);
    static final int MAX_UNACKNOWLEDGED = 10_000;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final NatsBackend backend;
    private final java.util.concurrent.Semaphore room = new java.util.concurrent.Semaphore(MAX_UNACKNOWLEDGED);
    private final java.util.Set<CompletableFuture<?>> unacknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The last failure a stream reported for a publish nobody waited for: thrown by the next publish. */
    private final java.util.concurrent.atomic.AtomicReference<io.baton.BatonException> failure = new java.util.concurrent.atomic.AtomicReference<>();

    NatsTopics(NatsBackend backend) {
        this.backend = backend;
    }

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        backend.ensureOpen();
        io.baton.BatonException earlier = failure.getAndSet(null);
        if (earlier != null) return CompletableFuture.failedFuture(earlier);
        String subject = backend.names().topicSubject(envelope.subject());
        io.nats.client.impl.Headers headers = NatsHeaders.toNats(envelope, false);
        backend.checkSize(headers, envelope.payload(), "a message to", envelope.subject());
        if (!backend.settings().history()) {
            try {
                backend.connection().publish(subject, headers, envelope.payload());
                return DONE;
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(backend.translate(e, "publishing to '" + envelope.subject() + "'"));
            }
        }
        try {
            room.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new io.baton.BatonException("interrupted while waiting to publish to '" + envelope.subject() + "'", e));
        }
        CompletableFuture<?> ack;
        try {
            ack = backend.jetStream().publishAsync(subject, headers, envelope.payload());
        } catch (RuntimeException e) {
            room.release();
            return CompletableFuture.failedFuture(backend.translate(e, "publishing to '" + envelope.subject() + "'"));
        }
        unacknowledged.add(ack);
        ack.whenComplete((stored, error) -> {
            unacknowledged.remove(ack);
            room.release();
            if (error != null) {
                io.baton.BatonException e = backend.translate(NatsBackend.unwrap(error), "publishing to '" + envelope.subject() + "'");
                log.warn("a publish to '{}' was not stored: {}", envelope.subject(), e.getMessage());
                failure.set(e);
            }
        });
        return DONE;
    }

    /** Waits up to {@code max} until every publish made so far is stored in (or refused by) the topics stream. */
    void awaitStored(java.time.Duration max) {
        try {
            CompletableFuture.allOf(unacknowledged.toArray(CompletableFuture[]::new)).get(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // reported by the publish's own callback
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("{} publishes not acknowledged by JetStream within {} ms", unacknowledged.size(), max.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        if (!backend.settings().history()) {
            throw new io.baton.UnsupportedCapabilityException("durable subscription '" + name + "': this nats: URL says history=false,"
                    + " so topics are plain core NATS and keep nothing to resume from; see docs/backends.md");
        }
        awaitStored(java.time.Duration.ofSeconds(10)); // NEW starts after, EARLIEST includes, every earlier publish
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
