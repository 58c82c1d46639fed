package io.baton;

/**
 * A subject of publish/subscribe: every subscription whose pattern matches a published subject
 * gets a copy.
 *
 * <p><b>Guarantees.</b> Ephemeral subscriptions (the default) are at most once: they see what is
 * published while they listen, and a subscriber that falls more than
 * {@link SubscribeOptions#maxPending()} messages behind is cut off with
 * {@link SlowConsumerException} (counted) so that it never slows the publisher or anyone else.
 * Durable subscriptions ({@link SubscribeOptions#durable(String)}) are at least once: they are
 * acknowledged like queue messages, resume where they stopped, start from a
 * {@link StartPosition}, and members subscribing under one name share its messages.
 *
 * <p><b>Threads.</b> Handlers run on virtual threads, at most
 * {@link SubscribeOptions#concurrency()} at a time per subscription (1 by default, so an
 * ephemeral subscriber sees messages in publish order).
 */
public interface Topic<T> {

    /** The subject or pattern this handle was made for. */
    String subject();

    /**
     * Publishes to every matching subscription and returns without waiting for any of them.
     *
     * @throws InvalidNameException if this topic's subject is a pattern
     * @throws CodecException if the body cannot be encoded
     * @throws PayloadTooLargeException if it encodes to more than {@link ConnectOptions#maxPayloadBytes()}
     * @throws NullPointerException if {@code body} is null
     */
    void publish(T body);

    /** Publishes with headers and an id. */
    void publish(T body, PublishOptions options);

    /** Subscribes ephemerally with default options. */
    Subscription subscribe(Handler<T> handler);

    /** Subscribes with options (durable name, start position, concurrency, bound). */
    Subscription subscribe(Handler<T> handler, SubscribeOptions options);

    /** As {@link #subscribe(Handler, SubscribeOptions)}, the handler seeing the whole message. */
    Subscription subscribeMessages(Handler<Message<T>> handler, SubscribeOptions options);
}
