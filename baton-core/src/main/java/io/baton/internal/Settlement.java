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
     * True if the delivery may go to a handler; false if it was dead-lettered because it already
     * had its attempts (its leases expired without an ack).
     */
    boolean admit(Delivery delivery) {
        if (delivery.attempt() <= options.maxAttempts()) return true;
        deadLetter(delivery, "not acknowledged in " + (delivery.attempt() - 1)
                + " deliveries (lease expired each time); maxAttempts is " + options.maxAttempts(), "");
        return false;
    }

    /** Dead-letters a delivery whose body the codec cannot decode: it must not block the queue. */
    void undecodable(Delivery delivery, CodecException e) {
        deadLetter(delivery, e.getMessage(), CodecException.class.getName());
    }

    /** Admits and decodes a delivery into a message; null if it was dead-lettered instead. */
    <T> ReceivedMessage<T> open(Delivery delivery, Codec codec, Class<T> type) {
        if (!admit(delivery)) return null;
        try {
            return new ReceivedMessage<>(delivery, codec.decode(delivery.envelope().payload(), type), this);
        } catch (CodecException e) {
            undecodable(delivery, e);
            return null;
        }
    }

    void ack(Delivery d) {
        source.ack(d.token());
    }

    /** Failed: redeliver after the backoff, or dead-letter on the last attempt. */
    void nack(Delivery d, Throwable error) {
        if (d.attempt() >= options.maxAttempts()) {
            String reason = error == null ? "nacked" : String.valueOf(error.getMessage());
            String type = error == null ? "" : error.getClass().getName();
            deadLetter(d, "failed " + d.attempt() + " of " + options.maxAttempts() + " attempts: " + reason, type);
        } else {
            source.nack(d.token(), options.backoff().delayAfter(d.attempt()));
        }
    }

    void release(Delivery d) {
        source.release(d.token());
    }

    boolean extend(Delivery d, Duration duration) {
        return source.extend(d.token(), duration);
    }

    /** Moves one delivery to the dead-letter queue, then acks it; nacks it if that fails. */
    private void deadLetter(Delivery delivery, String reason, String errorType) {
        Envelope envelope = delivery.envelope();
        long token = delivery.token();
        int attempt = delivery.attempt();
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
