package io.baton;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A named queue of messages of type {@code T}: each message goes to exactly one of the queue's
 * consumers, at least once.
 *
 * <p><b>Guarantees.</b> {@code send} returns once the backend holds the message safely (in memory
 * for {@code mem:}; written and fsynced for durable backends). A consumer acknowledges a message
 * by returning normally; by throwing it nacks, and the message is redelivered with
 * {@link Message#attempt()} + 1 after a backoff; after {@link ConsumeOptions#maxAttempts()} it moves
 * to the dead-letter queue {@code NAME.dlq} with headers saying why ({@link Headers}). A message
 * whose lease ({@link ConsumeOptions#ackTimeout()}) expires unacknowledged is redelivered too.
 * Messages are delivered in send order to one consumer; messages with a
 * {@linkplain SendOptions#key() key} are delivered one at a time per key, in send order, while
 * different keys run in parallel.
 *
 * <p><b>Buffers.</b> The body is encoded by the connection's {@link Codec} during {@code send};
 * the caller may reuse it afterwards. {@code byte[]} bodies are not copied: do not change them
 * after sending.
 */
public interface Queue<T> {

    /** The queue's name. */
    String name();

    /**
     * Sends one message and returns once the backend holds it.
     *
     * @throws QueueFullException if the queue is full and its overflow policy is {@code REJECT}
     *         (or {@code BLOCK} waited longer than {@link QueueOptions#blockTimeout()})
     * @throws CodecException if the body cannot be encoded
     * @throws PayloadTooLargeException if it encodes to more than {@link ConnectOptions#maxPayloadBytes()}
     * @throws NullPointerException if {@code body} is null
     */
    void send(T body);

    /**
     * Sends with a key, a delay, headers or a dedupe id; throws what {@link #send(Object)} throws, and:
     *
     * @throws UnsupportedCapabilityException if {@code options} has a key, a delay or an id and the
     *         backend does not offer key order, delayed delivery or dedupe (docs/backends.md);
     *         nothing is sent
     */
    void send(T body, SendOptions options);

    /**
     * Sends without waiting for the backend to confirm: the future completes when
     * {@link #send(Object)} would return, and fails with what it would throw. As with Kafka's
     * producer, the call itself may block while a {@link Overflow#BLOCK} queue is full.
     */
    CompletableFuture<Void> sendAsync(T body);

    /** As {@link #sendAsync(Object)} with options; throws {@link UnsupportedCapabilityException} as {@link #send(Object, SendOptions)} does. */
    CompletableFuture<Void> sendAsync(T body, SendOptions options);

    /**
     * Starts a consumer: {@code handler} runs on a virtual thread for each message, at most
     * {@link ConsumeOptions#concurrency()} at a time. Returning acks; throwing nacks.
     *
     * @return a handle whose {@code close()} stops the consumer gracefully
     */
    Subscription consume(Handler<T> handler);

    /** As {@link #consume(Handler)} with options. */
    Subscription consume(Handler<T> handler, ConsumeOptions options);

    /**
     * Like {@link #consume(Handler, ConsumeOptions)} but the handler sees the whole
     * {@link Message} (headers, attempt, {@link Message#extend(Duration)}). A message the handler
     * did not ack or nack itself is acked when it returns and nacked when it throws.
     */
    Subscription consumeMessages(Handler<Message<T>> handler, ConsumeOptions options);

    /**
     * Pulls one message, waiting up to {@code timeout}. The caller must {@link Message#ack()} or
     * {@link Message#nack()} it before its lease ({@link ConsumeOptions#ackTimeout()}) runs out,
     * or it is redelivered.
     *
     * @return the message, or empty if none arrived in time (over a network, also while the
     *         connection is lost and being made again)
     * @throws BatonClosedException if this {@code Baton} is closed
     * @throws BatonException why, if the connection to a server failed for good (its credentials
     *         refused, say): waiting cannot bring a message then
     */
    Optional<Message<T>> receive(Duration timeout);

    /** As {@link #receive(Duration)} with the lease, attempts and backoff of {@code options}. */
    Optional<Message<T>> receive(Duration timeout, ConsumeOptions options);

    /** Counters and depth, as the backend sees them now. */
    QueueStats stats();
}
