package io.baton;

/**
 * How a topic subscription behaves. Ephemeral by default: at most once, cut off past
 * {@link #maxPending()} messages behind. With {@link Builder#durable(String)} it is durable: at
 * least once, acknowledged with the lease, attempts and backoff of {@link #consume()}, resuming
 * where it stopped, starting at {@link #start()}; members subscribing under the same durable name
 * share its messages (a consumer group). Immutable; build with {@link #builder()}.
 */
public final class SubscribeOptions {
    private static final SubscribeOptions DEFAULTS = builder().build();

    private final String durable;
    private final StartPosition start;
    private final int maxPending;
    private final ConsumeOptions consume;

    private SubscribeOptions(Builder b) {
        this.durable = b.durable;
        this.start = b.start;
        this.maxPending = b.maxPending;
        this.consume = b.consume;
    }

    public static SubscribeOptions defaults() { return DEFAULTS; }

    public static Builder builder() { return new Builder(); }

    /** Shorthand for a durable subscription with default settings. */
    public static SubscribeOptions durable(String name) { return builder().durable(name).build(); }

    /** The durable subscription's name, or null for an ephemeral one. */
    public String durableName() { return durable; }

    public boolean isDurable() { return durable != null; }

    /** Where a new durable subscription starts; default {@link StartPosition#NEW}. */
    public StartPosition start() { return start; }

    /** Messages an ephemeral subscriber may fall behind before it is cut off; default 10,000. */
    public int maxPending() { return maxPending; }

    /** Handler concurrency, and for durable subscriptions the lease, attempts and backoff. */
    public ConsumeOptions consume() { return consume; }

    public int concurrency() { return consume.concurrency(); }

    public static final class Builder {
        private String durable;
        private StartPosition start = StartPosition.NEW;
        private int maxPending = 10_000;
        private ConsumeOptions consume = ConsumeOptions.defaults();

        private Builder() {}

        public Builder durable(String name) { this.durable = name; return this; }

        public Builder start(StartPosition start) { this.start = java.util.Objects.requireNonNull(start, "start"); return this; }

        public Builder maxPending(int maxPending) {
            if (maxPending < 1) throw new IllegalArgumentException("maxPending must be at least 1: " + maxPending);
            this.maxPending = maxPending;
            return this;
        }

        public Builder concurrency(int concurrency) { this.consume = consume.toBuilder().concurrency(concurrency).build(); return this; }

        public Builder consume(ConsumeOptions consume) { this.consume = java.util.Objects.requireNonNull(consume, "consume"); return this; }

        public SubscribeOptions build() { return new SubscribeOptions(this); }
    }
}
