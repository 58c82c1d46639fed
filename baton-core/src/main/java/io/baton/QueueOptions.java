package io.baton;

import java.time.Duration;

/**
 * How a queue is bounded and deduplicated. Applied when the queue is first created; a queue that
 * already exists keeps its options. Immutable; build with {@link #builder()}.
 */
public final class QueueOptions {
    private static final QueueOptions DEFAULTS = builder().build();

    private final long maxLength;
    private final long maxBytes;
    private final Overflow overflow;
    private final Duration blockTimeout;
    private final Duration dedupeWindow;

    private QueueOptions(Builder b) {
        this.maxLength = b.maxLength;
        this.maxBytes = b.maxBytes;
        this.overflow = b.overflow;
        this.blockTimeout = b.blockTimeout;
        this.dedupeWindow = b.dedupeWindow;
    }

    public static QueueOptions defaults() { return DEFAULTS; }

    public static Builder builder() { return new Builder(); }

    /** Most messages waiting (not yet delivered); default 1,000,000. */
    public long maxLength() { return maxLength; }

    /** Most payload bytes waiting; default 256 MiB. */
    public long maxBytes() { return maxBytes; }

    /** What a send to a full queue does; default {@link Overflow#BLOCK}. */
    public Overflow overflow() { return overflow; }

    /** Longest a blocked send waits for space; default 30 s. */
    public Duration blockTimeout() { return blockTimeout; }

    /** How long a sender-given id is remembered for deduplication; default 2 minutes. */
    public Duration dedupeWindow() { return dedupeWindow; }

    public static final class Builder {
        private long maxLength = 1_000_000;
        private long maxBytes = 256L << 20;
        private Overflow overflow = Overflow.BLOCK;
        private Duration blockTimeout = Duration.ofSeconds(30);
        private Duration dedupeWindow = Duration.ofMinutes(2);

        private Builder() {}

        public Builder maxLength(long maxLength) {
            if (maxLength < 1) throw new IllegalArgumentException("maxLength must be at least 1: " + maxLength);
            this.maxLength = maxLength;
            return this;
        }

        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
            this.maxBytes = maxBytes;
            return this;
        }

        public Builder overflow(Overflow overflow) { this.overflow = java.util.Objects.requireNonNull(overflow, "overflow"); return this; }

        public Builder blockTimeout(Duration blockTimeout) { this.blockTimeout = java.util.Objects.requireNonNull(blockTimeout, "blockTimeout"); return this; }

        public Builder dedupeWindow(Duration dedupeWindow) { this.dedupeWindow = java.util.Objects.requireNonNull(dedupeWindow, "dedupeWindow"); return this; }

        public QueueOptions build() { return new QueueOptions(this); }
    }
}
