package io.baton.internal;

import io.baton.Codec;
import io.baton.ConsumeOptions;
import io.baton.Handler;
import io.baton.Headers;
import io.baton.Message;
import io.baton.Queue;
import io.baton.QueueStats;
import io.baton.SendOptions;
import io.baton.Subscription;
import io.baton.UnsupportedCapabilityException;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.Delivery;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A {@link Queue} over a backend's {@link QueueChannel}: encoding here, storage there. */
final class TypedQueue<T> implements Queue<T> {
    private final QueueChannel channel;
    private final Backend backend;
    private final Codec codec;
    private final Class<T> type;
    private final FunctionRuntime runtime;

    TypedQueue(QueueChannel channel, Backend backend, Codec codec, Class<T> type, FunctionRuntime runtime) {
        this.channel = channel;
        this.backend = backend;
        this.codec = codec;
        this.type = type;
        this.runtime = runtime;
    }

    @Override
    public String name() {
        return channel.name();
    }

    @Override
    public void send(T body) {
        send(body, SendOptions.defaults());
    }

    @Override
    public void send(T body, SendOptions options) {
        RpcClient.await(sendAsync(body, options));
    }

    @Override
    public CompletableFuture<Void> sendAsync(T body) {
        return sendAsync(body, SendOptions.defaults());
    }

    /** A send that asks for what this backend does not do is refused, not quietly done without it. */
    private void requireCapabilities(SendOptions options) {
        Set<Capability> offered = backend.capabilities();
        if (options.key() != null && !offered.contains(Capability.KEY_ORDER)) {
            throw unsupported("a key (key-ordered delivery)", Capability.KEY_ORDER);
        }
        if (((options.delay() != null && !options.delay().isZero()) || options.deliverAt() != null) && !offered.contains(Capability.DELAYED_DELIVERY)) {
            throw unsupported("a delay", Capability.DELAYED_DELIVERY);
        }
        if (options.id() != null && !offered.contains(Capability.DEDUPE)) {
            throw unsupported("an id (deduplication)", Capability.DEDUPE);
        }
    }

    private UnsupportedCapabilityException unsupported(String what, Capability missing) {
        return new UnsupportedCapabilityException("a send to queue '" + name() + "' with " + what + ": this backend does not offer "
                + missing + "; see docs/backends.md");
    }

    @Override
    public CompletableFuture<Void> sendAsync(T body, SendOptions options) {
        Objects.requireNonNull(body, () -> "body of a message to queue '" + name() + "' must not be null");
        Objects.requireNonNull(options, "options");
        if (!options.headers().isEmpty()) checkHeaders(options.headers());
        if (options != SendOptions.defaults()) requireCapabilities(options);
        byte[] payload = codec.encode(body);
        long now = CoarseClock.millis();
        Envelope envelope = new Envelope(channel.name(), options.id(), options.key(), options.headers(), payload, now);
        // a delay is measured from the real clock: delivery may come late, never early
        long deliverAt = options == SendOptions.defaults() ? 0 : options.deliverAtMillis(System.currentTimeMillis());
        try {
            return channel.send(envelope, deliverAt);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // e.g. queue full: an outcome of this send, not a bad argument
        }
    }

    static void checkHeaders(Map<String, String> headers) {
        for (String name : headers.keySet()) {
            if (name.startsWith(Headers.PREFIX)) {
                throw new IllegalArgumentException("header '" + name + "' uses the prefix '" + Headers.PREFIX + "', which is reserved for Baton");
            }
        }
    }

    @Override
    public Subscription consume(Handler<T> handler) {
        return consume(handler, ConsumeOptions.defaults());
    }

    @Override
    public Subscription consume(Handler<T> handler, ConsumeOptions options) {
        Objects.requireNonNull(handler, "handler");
        Settlement settlement = new Settlement(backend, channel, options);
        return runtime.launch(PullConsumer.ofBodies(runtime, settlement, codec, type, handler), PullConsumer::start);
    }

    @Override
    public Subscription consumeMessages(Handler<Message<T>> handler, ConsumeOptions options) {
        Objects.requireNonNull(handler, "handler");
        Settlement settlement = new Settlement(backend, channel, options);
        return runtime.launch(PullConsumer.ofMessages(runtime, settlement, codec, type, handler), PullConsumer::start);
    }

    @Override
    public Optional<Message<T>> receive(Duration timeout) {
        return receive(timeout, ConsumeOptions.defaults());
    }

    @Override
    public Optional<Message<T>> receive(Duration timeout, ConsumeOptions options) {
        Settlement settlement = new Settlement(backend, channel, options);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                List<Delivery> got = channel.receive(1, left, options.ackTimeout());
                if (got.isEmpty()) return Optional.empty();
                ReceivedMessage<T> m = settlement.open(got.get(0), codec, type);
                if (m != null) return Optional.of(m);
                // dead-lettered (undecodable or out of attempts): try the next one
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public QueueStats stats() {
        return channel.stats();
    }

    @Override
    public String toString() {
        return "Queue[" + name() + "]";
    }
}
