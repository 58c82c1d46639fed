package io.baton.spi;

/**
 * What a backend can do. The TCK checks exactly the capabilities a backend declares; a feature a
 * backend lacks is either emulated in core or refused with
 * {@link io.baton.UnsupportedCapabilityException}.
 */
public enum Capability {
    /** Queues with ack/nack, leases, redelivery and dead-lettering. */
    QUEUES,
    /** Publish/subscribe with wildcard patterns and ephemeral subscriptions. */
    TOPICS,
    /** Request/reply with load balancing and immediate no-responders. */
    RPC,
    /** Messages survive closing and reopening the backend (and a crash, per its durability mode). */
    DURABLE,
    /** {@code deliverAfter}/{@code deliverAt}. */
    DELAYED_DELIVERY,
    /** A sender-given id deduplicates sends within the queue's window. */
    DEDUPE,
    /** Messages of one key are delivered one at a time in send order. */
    KEY_ORDER,
    /** Bounded queues with block/reject/drop-oldest. */
    BOUNDED_QUEUES,
    /** A delivery's lease can be extended. */
    LEASE_EXTENSION,
    /** Named durable subscriptions: at least once, resumed, shared by the members of a group. */
    DURABLE_SUBSCRIPTIONS,
    /** Durable subscriptions start from EARLIEST, a sequence or a time (topic history). */
    REPLAY,
    /** A caller that gives up cancels the server side's context. */
    RPC_CANCELLATION
}
