package io.baton.internal;

import io.baton.Codec;
import io.baton.Handler;
import io.baton.InvalidNameException;
import io.baton.Message;
import io.baton.PublishOptions;
import io.baton.SubscribeOptions;
import io.baton.Subscription;
import io.baton.Topic;
import io.baton.UnsupportedCapabilityException;
import io.baton.spi.Capability;
import io.baton.spi.Backend;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
import java.util.Objects;

/** A {@link Topic} over a backend's topic channel. */
final class TypedTopic<T> implements Topic<T> {
    private final String subject;
    private final boolean pattern;
    private final Backend backend;
    private final Codec codec;
    private final Class<T> type;
    private final FunctionRuntime runtime;
    private final Runnable onCutOff;

    TypedTopic(String subject, Backend backend, Codec codec, Class<T> type, FunctionRuntime runtime, Runnable onCutOff) {
        Subjects.checkPattern(subject);
        this.subject = subject;
        this.pattern = Subjects.isPattern(subject);
        this.backend = backend;
        this.codec = codec;
        this.type = type;
        this.runtime = runtime;
        this.onCutOff = onCutOff;
    }

    @Override
    public String subject() {
        return subject;
    }

    @Override
    public void publish(T body) {
        publish(body, PublishOptions.defaults());
    }

    @Override
    public void publish(T body, PublishOptions options) {
        if (pattern) {
            throw new InvalidNameException("cannot publish to '" + subject + "': it is a pattern; publish to a subject without '*' or '>'");
        }
        Objects.requireNonNull(body, () -> "body of a message to '" + subject + "' must not be null");
        TypedQueue.checkHeaders(options.headers());
        byte[] payload = codec.encode(body);
        RpcClient.await(backend.topics().publish(new Envelope(subject, options.id(), null, options.headers(), payload, System.currentTimeMillis())));
    }

    @Override
    public Subscription subscribe(Handler<T> handler) {
        return subscribe(handler, SubscribeOptions.defaults());
    }

    @Override
    public Subscription subscribe(Handler<T> handler, SubscribeOptions options) {
        Objects.requireNonNull(handler, "handler");
        return subscribeMessages(m -> handler.handle(m.body()), options);
    }

    @Override
    public Subscription subscribeMessages(Handler<Message<T>> handler, SubscribeOptions options) {
        Objects.requireNonNull(handler, "handler");
        if (options.isDurable()) {
            Subjects.checkQueueName(options.durableName());
            if (!backend.capabilities().contains(Capability.DURABLE_SUBSCRIPTIONS)) {
                throw new UnsupportedCapabilityException("durable subscription '" + options.durableName()
                        + "': this backend does not offer durable subscriptions; see docs/backends.md");
            }
            DeliverySource source = backend.topics().durable(options.durableName(), subject, options.start());
            Settlement settlement = new Settlement(backend, source, options.consume());
            return runtime.launch(PullConsumer.ofMessages(runtime, settlement, codec, type, handler), PullConsumer::start);
        }
        return runtime.launch(new EphemeralSubscriber<>(runtime, subject, codec, type, handler,
                options.concurrency(), options.maxPending(), onCutOff), s -> s.start(backend.topics()));
    }

    @Override
    public String toString() {
        return "Topic[" + subject + "]";
    }
}
