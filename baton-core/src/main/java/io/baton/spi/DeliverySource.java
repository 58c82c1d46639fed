package io.baton.spi;

import java.time.Duration;
import java.util.List;

/**
 * Where acknowledged deliveries come from: a queue, or a durable subscription. The function
 * runtime in core pulls from it; backends do not run handlers. All methods are thread-safe.
 */
public interface DeliverySource {

    /** The queue or durable subscription name; its dead letters go to {@code name() + ".dlq"}. */
    String name();

    /**
     * Takes up to {@code max} deliverable messages, waiting up to {@code wait} for the first one.
     * Each is leased for {@code lease}: not acked by then, it is delivered again.
     *
     * @return the deliveries, empty if none came in time
     * @throws io.baton.BatonClosedException if the backend is closed
     */
    List<Delivery> receive(int max, Duration wait, Duration lease) throws InterruptedException;

    /** Done: the message is removed. A stale token does nothing. */
    void ack(long token);

    /** Acknowledges {@code tokens[0..count)} at once (a consumer's end of batch). */
    default void ack(long[] tokens, int count) {
        for (int i = 0; i < count; i++) ack(tokens[i]);
    }

    /**
     * Acknowledges {@code tokens[0..count)} and takes the next deliveries in one trip, as
     * JetStream's ack-next does; a consumer calls it at the end of each batch. The acks are applied
     * before any waiting, so they hold even if the wait is interrupted.
     */
    default List<Delivery> ackAndReceive(long[] tokens, int count, int max, Duration wait, Duration lease)
            throws InterruptedException {
        if (count > 0) ack(tokens, count);
        return receive(max, wait, lease);
    }

    /**
     * A consumer that received from this source in a loop has stopped: whatever the backend fetched
     * ahead for it goes back now, so that others get it at once and in order.
     */
    default void consumerStopped() {
    }

    /** Failed: deliver again after {@code delay}, with attempt + 1. A stale token does nothing. */
    void nack(long token, Duration delay);

    /** Not processed (the consumer is stopping): available again at once, the attempt not counted. */
    void release(long token);

    /** Renews the lease to {@code lease} from now; false if the token is stale. */
    boolean extend(long token, Duration lease);
}
