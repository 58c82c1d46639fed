package io.baton.internal;

import io.baton.Codec;
import io.baton.CodecException;
import io.baton.ConsumeOptions;
import io.baton.Headers;
import io.baton.QueueOptions;
import io.baton.spi.Backend;
import io.baton.spi.Delivery;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry and dead-letter policy, written once for every backend: a nack redelivers after the
 * consumer's backoff until {@link ConsumeOptions#maxAttempts()}; then, and for bodies that cannot
 * be decoded, the message moves to {@code SOURCE.dlq} with headers saying why, and only then is the
 * original acknowledged. Nothing is dropped: if the dead-letter send fails, the message is nacked.
 */
final class Settlement {
    private static final Logger log = LoggerFactory.getLogger(Settlement.class);

    private final Backend backend;
    private final DeliverySource source;
    private final ConsumeOptions options;

    Settlement(Backend backend, DeliverySource source, ConsumeOptions options) {
        this.backend = backend;
        this.source = source;
        this.options = options;
    }

    ConsumeOptions options() { return options; }

    DeliverySource source() { return source; }

    /**
     * Turns a delivery into a message, or dead-letters it and returns null: when it already had
     * its attempts (leases expired without an ack) or its body cannot be decoded.
     */
    <T> ReceivedMessage<T> open(Delivery delivery, Codec codec, Class<T> type) {
        Envelope envelope = delivery.envelope();
        if (delivery.attempt() > options.maxAttempts()) {
            deadLetter(envelope, delivery.token(), delivery.attempt(), "not acknowledged in " + (delivery.attempt() - 1)
                    + " deliveries (lease expired each time); maxAttempts is " + options.maxAttempts(), "");
            return null;
        }
        T body;
        try {
            body = codec.decode(envelope.payload(), type);
        } catch (CodecException e) {
            deadLetter(envelope, delivery.token(), delivery.attempt(), e.getMessage(), CodecException.class.getName());
            return null;
        }
        return new ReceivedMessage<>(delivery, body, this);
    }

    void ack(ReceivedMessage<?> m) {
        source.ack(m.token());
    }

    void nack(ReceivedMessage<?> m, Throwable error) {
        if (m.attempt() >= options.maxAttempts()) {
            String reason = error == null ? "nacked" : String.valueOf(error.getMessage());
            String type = error == null ? "" : error.getClass().getName();
            deadLetter(m.envelope(), m.token(), m.attempt(), "failed " + m.attempt() + " of " + options.maxAttempts() + " attempts: " + reason, type);
        } else {
            source.nack(m.token(), options.backoff().delayAfter(m.attempt()));
        }
    }

    void release(ReceivedMessage<?> m) {
        source.release(m.token());
    }

    boolean extend(ReceivedMessage<?> m, Duration duration) {
        return source.extend(m.token(), duration);
    }

    /** Moves one delivery to the dead-letter queue, then acks it; nacks it if that fails. */
    void deadLetter(Envelope envelope, long token, int attempt, String reason, String errorType) {
        Map<String, String> headers = new HashMap<>(envelope.headers());
        headers.put(Headers.DLQ_REASON, reason);
        headers.put(Headers.DLQ_ERROR_TYPE, errorType);
        headers.put(Headers.DLQ_ATTEMPTS, Integer.toString(attempt));
        headers.put(Headers.DLQ_SOURCE, source.name());
        headers.put(Headers.DLQ_TIME, Instant.now().toString());
        String dlq = source.name() + Headers.DLQ_SUFFIX;
        // The key is dropped: a dead letter must not hold up anything else in the DLQ.
        Envelope dead = new Envelope(dlq, envelope.id(), null, Map.copyOf(headers), envelope.payload(), envelope.timestamp());
        try {
            backend.queue(dlq, QueueOptions.defaults()).send(dead, 0).join();
        } catch (RuntimeException e) {
            log.error("could not dead-letter a message of '{}' to '{}' ({}); it stays in its queue", source.name(), dlq, e.toString());
            source.nack(token, options.backoff().max());
            return;
        }
        log.warn("dead-lettered a message of '{}' to '{}': {}", source.name(), dlq, reason);
        source.ack(token);
    }
}
