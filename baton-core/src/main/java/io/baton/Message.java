package io.baton;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One delivered message: its decoded body and what travelled with it, plus, for acknowledged
 * deliveries (queues and durable subscriptions), the acknowledgement of this delivery attempt.
 *
 * <p>{@link #ack()}, {@link #nack()} and {@link #extend(Duration)} act on this attempt only: after
 * the message was redelivered, acknowledging an older attempt does nothing. Each of them is
 * idempotent and safe from any thread. On ephemeral topic messages they do nothing.
 */
public interface Message<T> {

    /** The decoded body. */
    T body();

    /** The queue name or the published subject. */
    String subject();

    /** The sender-given id, or one the backend assigned. */
    String id();

    /** The ordering key, or null. */
    String key();

    /** Application headers plus Baton's own ({@link Headers}); unmodifiable. */
    Map<String, String> headers();

    /** When the message was sent. */
    Instant timestamp();

    /** 1 on first delivery, incremented on each redelivery. */
    int attempt();

    /** The backend's sequence number of the message within its queue or topic. */
    long sequence();

    /** Acknowledges: the message is done and will not be delivered again. */
    void ack();

    /** Negatively acknowledges: redeliver after the consumer's backoff, or dead-letter. */
    void nack();

    /** As {@link #nack()}, recording {@code error} as the reason if it is dead-lettered. */
    void nack(Throwable error);

    /**
     * Extends this delivery's lease to {@code duration} from now.
     *
     * @return false if the lease was already lost (acked, nacked, expired or redelivered)
     */
    boolean extend(Duration duration);
}
