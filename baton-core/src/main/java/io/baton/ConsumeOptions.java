package io.baton;

import java.time.Duration;

/**
 * How a consumer takes messages: how many handlers run at once, how long a delivery's lease
 * lasts before it is redelivered, how many attempts a message gets before it is dead-lettered,
 * and the backoff between attempts. Immutable; build with {@link #builder()}.
 */
public final class ConsumeOptions {
    private static final ConsumeOptions DEFAULTS = builder().build();

    private final int concurrency;
    private final int maxAttempts;
    private final Duration ackTimeout;
    private final Backoff backoff;

    private ConsumeOptions(Builder b) {
        this.concurrency = b.concurrency;
        this.maxAttempts = b.maxAttempts;
        this.ackTimeout = b.ackTimeout;
        this.backoff = b.backoff;
    }

    public static ConsumeOptions defaults() { return DEFAULTS; }

    public static Builder builder() { return new Builder(); }

    /** Handlers running at once; default 1. */
    public int concurrency() { return concurrency; }

    /** Deliveries before the message moves to {@code NAME.dlq}; default 5. */
    public int maxAttempts() { return maxAttempts; }

    /** Lease of one delivery; default 30 s. {@link Message#extend(Duration)} renews it. */
    public Duration ackTimeout() { return ackTimeout; }

    /** Delay before a nacked message is redelivered; default exponential 100 ms to 10 s. */
    public Backoff backoff() { return backoff; }

    public Builder toBuilder() {
        return new Builder().concurrency(concurrency).maxAttempts(maxAttempts).ackTimeout(ackTimeout).backoff(backoff);
    }

    public static final class Builder {
        private int concurrency = 1;
        private int maxAttempts = 5;
        private Duration ackTimeout = Duration.ofSeconds(30);
        private Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10));

        private Builder() {}

        public Builder concurrency(int concurrency) {
            if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
            this.concurrency = concurrency;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder ackTimeout(Duration ackTimeout) {
            if (ackTimeout.isNegative() || ackTimeout.isZero()) throw new IllegalArgumentException("ackTimeout must be positive: " + ackTimeout);
            this.ackTimeout = ackTimeout;
            return this;
        }

        public Builder backoff(Backoff backoff) { this.backoff = java.util.Objects.requireNonNull(backoff, "backoff"); return this; }

        public ConsumeOptions build() { return new ConsumeOptions(this); }
    }
}
