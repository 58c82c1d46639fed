package io.baton;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * How one message is sent: an ordering {@link #key()}, a delay, application headers and a
 * sender-given {@link #id()} that deduplicates retried sends within the queue's
 * {@link QueueOptions#dedupeWindow()}. Immutable; build with {@link #builder()}.
 */
public final class SendOptions {
    private static final SendOptions DEFAULTS = builder().build();

    private final String key;
    private final String id;
    private final Instant deliverAt;
    private final Duration delay;
    private final Map<String, String> headers;

    private SendOptions(Builder b) {
        this.key = b.key;
        this.id = b.id;
        this.deliverAt = b.deliverAt;
        this.delay = b.delay;
        this.headers = Map.copyOf(b.headers);
    }

    public static SendOptions defaults() { return DEFAULTS; }

    public static Builder builder() { return new Builder(); }

    /** Shorthand for a send with only a key. */
    public static SendOptions withKey(String key) { return builder().key(key).build(); }

    /** Messages with the same key are delivered one at a time, in send order; null for none. */
    public String key() { return key; }

    /** Sender-given id for deduplication; null for none. */
    public String id() { return id; }

    /** Delay before the message becomes deliverable; null for none. */
    public Duration delay() { return delay; }

    /** Instant before which the message is not delivered; null for none. */
    public Instant deliverAt() { return deliverAt; }

    /** Application headers (unmodifiable). */
    public Map<String, String> headers() { return headers; }

    /** The instant, in epoch millis, at which the message becomes deliverable; 0 for at once. */
    public long deliverAtMillis(long nowMillis) {
        long at = 0;
        if (delay != null && !delay.isZero()) at = nowMillis + delay.toMillis();
        if (deliverAt != null) at = Math.max(at, deliverAt.toEpochMilli());
        return at;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.key = key; b.id = id; b.deliverAt = deliverAt; b.delay = delay; b.headers = headers;
        return b;
    }

    public static final class Builder {
        private String key;
        private String id;
        private Instant deliverAt;
        private Duration delay;
        private Map<String, String> headers = Map.of();

        private Builder() {}

        public Builder key(String key) { this.key = key; return this; }
        public Builder id(String id) { this.id = id; return this; }
        public Builder deliverAt(Instant at) { this.deliverAt = at; return this; }

        public Builder delay(Duration delay) {
            if (delay != null && delay.isNegative()) throw new IllegalArgumentException("delay must not be negative: " + delay);
            this.delay = delay;
            return this;
        }

        public Builder headers(Map<String, String> headers) { this.headers = Objects.requireNonNull(headers, "headers"); return this; }

        public Builder header(String name, String value) {
            java.util.HashMap<String, String> copy = new java.util.HashMap<>(headers);
            copy.put(Objects.requireNonNull(name, "header name"), Objects.requireNonNull(value, "header value"));
            this.headers = copy;
            return this;
        }

        public SendOptions build() { return new SendOptions(this); }
    }
}
