package io.baton;

import java.time.Duration;

/**
 * Settings of one connection: the body {@link Codec}, the largest body, the default RPC deadline
 * and how long {@link Baton#close()} waits for running handlers. Immutable; build with {@link #builder()}.
 */
public final class ConnectOptions {
    private static final ConnectOptions DEFAULTS = builder().build();

    private final Codec codec;
    private final Duration callTimeout;
    private final Duration shutdownTimeout;
    private final int maxPayloadBytes;

    private ConnectOptions(Builder b) {
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.codec = b.codec;
        this.callTimeout = b.callTimeout;
        this.shutdownTimeout = b.shutdownTimeout;
    }

    public static ConnectOptions defaults() { return DEFAULTS; }

    public static Builder builder() { return new Builder(); }

    /** Encodes and decodes bodies; default {@link Codec#json()}. */
    public Codec codec() { return codec; }

    /** Deadline of a call that gives none; default 5 s. */
    public Duration callTimeout() { return callTimeout; }

    /** Longest {@link Baton#close()} and {@link Subscription#close()} wait for running handlers; default 10 s. */
    public Duration shutdownTimeout() { return shutdownTimeout; }

    /** Largest encoded body sent, published, called or replied; default 1 MiB (as NATS and the Baton server). */
    public int maxPayloadBytes() { return maxPayloadBytes; }

    public static final class Builder {
        private int maxPayloadBytes = 1 << 20;
        private Codec codec = Codec.json();
        private Duration callTimeout = Duration.ofSeconds(5);
        private Duration shutdownTimeout = Duration.ofSeconds(10);

        private Builder() {}

        public Builder codec(Codec codec) { this.codec = java.util.Objects.requireNonNull(codec, "codec"); return this; }

        public Builder callTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("callTimeout must be positive: " + timeout);
            this.callTimeout = timeout;
            return this;
        }

        public Builder shutdownTimeout(Duration timeout) { this.shutdownTimeout = java.util.Objects.requireNonNull(timeout, "shutdownTimeout"); return this; }

        public Builder maxPayloadBytes(int maxPayloadBytes) {
            if (maxPayloadBytes < 1) throw new IllegalArgumentException("maxPayloadBytes must be at least 1: " + maxPayloadBytes);
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        public ConnectOptions build() { return new ConnectOptions(this); }
    }
}
