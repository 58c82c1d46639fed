package io.baton.nats;

import io.baton.BatonException;
import io.baton.Overflow;
import io.baton.QueueFullException;
import io.baton.QueueStats;
import io.baton.UnsupportedCapabilityException;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A queue on a JetStream work-queue stream ({@code PREFIX.q.NAME}, file storage) with one durable
 * pull consumer. A send is a JetStream publish and completes with its ack: the message is stored
 * (and replicated, with replicas) by then. The sender's id is the {@code Nats-Msg-Id}, deduplicated
 * over the stream's duplicate window, which is the queue's dedupe window.
 *
 * <p>Bounds are the stream's limits ({@code max_msgs}, {@code max_bytes}, discard new), which count
 * messages in flight and stored bytes, not only waiting payload bytes as Baton's bounded queues do:
 * hence no {@code BOUNDED_QUEUES}. A full queue refuses at once ({@code REJECT}) or retries until
 * its block timeout ({@code BLOCK}); both stay with the stream, in its description.
 * {@code DROP_OLDEST} is refused: JetStream would drop messages in flight and count nothing.
 */
final class JetStreamQueue extends JetStreamSource implements QueueChannel {
    private static final long BLOCK_RETRY_MILLIS = 10;

    private final String subject;
    private final Overflow overflow;
    private final Duration blockTimeout;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();

    JetStreamQueue(NatsBackend backend, String name, String stream, String subject, Overflow overflow, Duration blockTimeout) {
        super(backend, name, stream, NatsNames.QUEUE_CONSUMER, m -> name);
        this.subject = subject;
        this.overflow = overflow;
        this.blockTimeout = blockTimeout;
    }

    @Override
    public CompletableFuture<Void> send(Envelope envelope, long deliverAtMillis) {
        backend.ensureOpen();
        if (deliverAtMillis > System.currentTimeMillis()) {
            throw new UnsupportedCapabilityException("delayed delivery to '" + name() + "': the nats: backend does not offer it"
                    + " (JetStream on this server has no scheduled messages); see docs/backends.md");
        }
        Headers headers = NatsHeaders.toNats(envelope, true);
        backend.checkSize(headers, envelope.payload(), "a message to queue", name());
        CompletableFuture<Void> result = new CompletableFuture<>();
        publish(headers, envelope.payload(), result, System.nanoTime() + blockTimeout.toNanos());
        return result;
    }

    private void publish(Headers headers, byte[] payload, CompletableFuture<Void> result, long blockDeadline) {
        CompletableFuture<PublishAck> ack;
        try {
            ack = backend.jetStream().publishAsync(subject, headers, payload);
        } catch (RuntimeException e) {
            result.completeExceptionally(backend.translate(e, "sending to '" + name() + "'"));
            return;
        }
        ack.whenComplete((pubAck, error) -> {
            if (error == null) {
                (pubAck.isDuplicate() ? duplicates : sent).incrementAndGet();
                result.complete(null);
                return;
            }
            Throwable cause = NatsBackend.unwrap(error);
            if (isFull(cause)) {
                if (overflow == Overflow.BLOCK && System.nanoTime() < blockDeadline && !backend.isClosed()) {
                    backend.timers().schedule(() -> publish(headers, payload, result, blockDeadline), BLOCK_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                }
                rejected.incrementAndGet();
                result.completeExceptionally(new QueueFullException("queue '" + name() + "' is full ("
                        + ((JetStreamApiException) cause).getErrorDescription() + ")"
                        + (overflow == Overflow.BLOCK ? " and stayed full for " + blockTimeout.toMillis() + " ms" : "")));
                return;
            }
            result.completeExceptionally(backend.translate(cause, "sending to '" + name() + "'"));
        });
    }

    /** The stream's limits with discard new refused the message. */
    private static boolean isFull(Throwable t) {
        if (!(t instanceof JetStreamApiException e)) return false;
        String description = String.valueOf(e.getErrorDescription()).toLowerCase(java.util.Locale.ROOT);
        return description.contains("maximum messages") || description.contains("maximum bytes");
    }

    /**
     * Waiting and in flight as JetStream counts them for the whole queue (in flight includes nacked
     * messages waiting for their backoff); the other counters are this connection's.
     */
    @Override
    public QueueStats stats() {
        backend.ensureOpen();
        ConsumerInfo info;
        try {
            info = backend.management().getConsumerInfo(stream(), consumer());
        } catch (IOException | JetStreamApiException e) {
            throw new BatonException("reading the stats of '" + name() + "' failed: " + e.getMessage(), e);
        }
        return new QueueStats(info.getNumPending(), info.getNumAckPending(), sent.get(), acked.get(), redelivered.get(),
                0, rejected.get(), duplicates.get());
    }
}
