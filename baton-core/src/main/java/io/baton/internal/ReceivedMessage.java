package io.baton.internal;

import io.baton.Message;
import io.baton.spi.Delivery;
import io.baton.spi.Envelope;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A decoded message. Acknowledged deliveries settle through a {@link Settlement}, once: the first
 * of ack/nack wins. Ephemeral topic messages have no settlement and their ack/nack do nothing.
 */
final class ReceivedMessage<T> implements Message<T> {
    private final Delivery delivery;
    private final T body;
    private final Settlement settlement;
    private boolean settled;

    ReceivedMessage(Delivery delivery, T body, Settlement settlement) {
        this.delivery = delivery;
        this.body = body;
        this.settlement = settlement;
    }

    /** An ephemeral topic message: nothing to settle. */
    static <T> ReceivedMessage<T> ephemeral(Envelope envelope, long sequence, T body) {
        return new ReceivedMessage<>(new Delivery(envelope, 0, 1, sequence), body, null);
    }

    @Override public T body() { return body; }
    @Override public String subject() { return delivery.envelope().subject(); }
    @Override public String id() { return delivery.envelope().id() != null ? delivery.envelope().id() : Long.toString(delivery.sequence()); }
    @Override public String key() { return delivery.envelope().key(); }
    @Override public Map<String, String> headers() { return delivery.envelope().headers(); }
    @Override public Instant timestamp() { return Instant.ofEpochMilli(delivery.envelope().timestamp()); }
    @Override public int attempt() { return delivery.attempt(); }
    @Override public long sequence() { return delivery.sequence(); }

    synchronized boolean isSettled() { return settled; }

    private synchronized boolean settle() {
        if (settled || settlement == null) return false;
        settled = true;
        return true;
    }

    @Override
    public void ack() {
        if (settle()) settlement.ack(delivery);
    }

    @Override
    public void nack() {
        nack(null);
    }

    @Override
    public void nack(Throwable error) {
        if (settle()) settlement.nack(delivery, error);
    }

    /**
     * Settles as acked without telling the source yet: the caller acks the token with the rest of
     * its batch. False if the message was already settled.
     */
    boolean settleForBatchAck() {
        return settle();
    }

    /** Returns the message to its source without counting the attempt (consumer stopping). */
    void release() {
        if (settle()) settlement.release(delivery);
    }

    @Override
    public boolean extend(Duration duration) {
        return settlement != null && !isSettled() && settlement.extend(delivery, duration);
    }

    @Override
    public String toString() {
        return "Message[" + subject() + " #" + sequence() + " attempt " + attempt() + "]";
    }
}
