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
    private final Envelope envelope;
    private final T body;
    private final int attempt;
    private final long sequence;
    private final long token;
    private final Settlement settlement;
    private boolean settled;

    ReceivedMessage(Delivery delivery, T body, Settlement settlement) {
        this(delivery.envelope(), body, delivery.attempt(), delivery.sequence(), delivery.token(), settlement);
    }

    ReceivedMessage(Envelope envelope, T body, int attempt, long sequence, long token, Settlement settlement) {
        this.envelope = envelope;
        this.body = body;
        this.attempt = attempt;
        this.sequence = sequence;
        this.token = token;
        this.settlement = settlement;
    }

    @Override public T body() { return body; }
    @Override public String subject() { return envelope.subject(); }
    @Override public String id() { return envelope.id() != null ? envelope.id() : Long.toString(sequence); }
    @Override public String key() { return envelope.key(); }
    @Override public Map<String, String> headers() { return envelope.headers(); }
    @Override public Instant timestamp() { return Instant.ofEpochMilli(envelope.timestamp()); }
    @Override public int attempt() { return attempt; }
    @Override public long sequence() { return sequence; }

    Envelope envelope() { return envelope; }

    long token() { return token; }

    synchronized boolean isSettled() { return settled; }

    private synchronized boolean settle() {
        if (settled || settlement == null) return false;
        settled = true;
        return true;
    }

    @Override
    public void ack() {
        if (settle()) settlement.ack(this);
    }

    @Override
    public void nack() {
        nack(null);
    }

    @Override
    public void nack(Throwable error) {
        if (settle()) settlement.nack(this, error);
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
        if (settle()) settlement.release(this);
    }

    @Override
    public boolean extend(Duration duration) {
        return settlement != null && !isSettled() && settlement.extend(this, duration);
    }

    @Override
    public String toString() {
        return "Message[" + subject() + " #" + sequence + " attempt " + attempt + "]";
    }
}
