package io.baton.spi;

import io.baton.QueueStats;
import java.util.concurrent.CompletableFuture;

/** A backend's queue: bytes in, deliveries out. */
public interface QueueChannel extends DeliverySource {

    /**
     * Stores {@code envelope}; the future completes once the message is safe for this backend.
     * A non-null {@link Envelope#id()} seen within the dedupe window is ignored (and still
     * completes normally). May block the caller while the queue is full and its overflow is
     * {@link io.baton.Overflow#BLOCK}, as Kafka's producer does.
     *
     * @param deliverAtMillis epoch millis before which the message is not delivered; 0 for at once
     */
    CompletableFuture<Void> send(Envelope envelope, long deliverAtMillis);

    QueueStats stats();
}
