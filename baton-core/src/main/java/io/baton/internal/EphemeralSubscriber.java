package io.baton.internal;

import io.baton.Codec;
import io.baton.CodecException;
import io.baton.Handler;
import io.baton.Message;
import io.baton.SlowConsumerException;
import io.baton.spi.Envelope;
import io.baton.spi.TopicChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ephemeral (at-most-once) subscription: the backend's sink puts each message into a bounded
 * buffer without blocking; {@code concurrency} virtual threads take from it and run the handler.
 * When the buffer is full the subscriber is cut off at once (counted, {@link SlowConsumerException})
 * so that neither the publisher nor other subscribers ever wait for it.
 */
final class EphemeralSubscriber<T> extends Function implements TopicChannel.EnvelopeSink {
    private static final Logger log = LoggerFactory.getLogger(EphemeralSubscriber.class);

    private record Pending(Envelope envelope, long sequence) {}

    private final String pattern;
    private final Codec codec;
    private final Class<T> type;
    private final Handler<Message<T>> handler;
    private final int concurrency;
    private final int maxPending;
    private final ArrayBlockingQueue<Pending> buffer;
    private final WorkerPool workers = new WorkerPool();
    private final Runnable onCutOff;
    private volatile AutoCloseable backendSubscription;

    EphemeralSubscriber(FunctionRuntime runtime, String pattern, Codec codec, Class<T> type, Handler<Message<T>> handler,
                        int concurrency, int maxPending, Runnable onCutOff) {
        super(runtime);
        this.pattern = pattern;
        this.codec = codec;
        this.type = type;
        this.handler = handler;
        this.concurrency = concurrency;
        this.maxPending = maxPending;
        this.buffer = new ArrayBlockingQueue<>(maxPending);
        this.onCutOff = onCutOff;
    }

    EphemeralSubscriber<T> start(TopicChannel topics) {
        backendSubscription = topics.subscribe(pattern, this); // first: if it fails, no thread was started
        workers.start("baton-subscribe-" + pattern, concurrency, this::work);
        if (!isActive()) onStop(); // stopped while starting: undo the subscription
        return this;
    }

    @Override
    public void accept(Envelope envelope, long sequence) {
        if (!isActive()) return;
        if (!buffer.offer(new Pending(envelope, sequence))) {
            boolean cut = fail(new SlowConsumerException("subscriber of '" + pattern + "' fell " + maxPending
                    + " messages behind and was cut off so as not to slow the publisher or other subscribers"));
            if (!cut) return;
            onCutOff.run();
            log.warn("cut off slow subscriber of '{}' ({} messages pending)", pattern, maxPending);
        }
    }

    @Override
    public void endedByBackend(io.baton.BatonException reason) {
        if (fail(reason)) log.warn("subscription to '{}' ended by the backend: {}", pattern, reason.getMessage());
    }

    private void work(WorkerPool.Slot slot) {
        while (slot.idle()) {
            Pending p;
            try {
                p = buffer.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                if (slot.busy()) continue;
                return;
            }
            if (!slot.busy()) return; // stopped: at most once, what is left is dropped
            if (p == null) continue;
            T body;
            try {
                body = codec.decode(p.envelope.payload(), type);
            } catch (CodecException e) {
                log.warn("dropped a message on '{}' for subscriber of '{}': {}", p.envelope.subject(), pattern, e.getMessage());
                continue;
            }
            try {
                handler.handle(ReceivedMessage.ephemeral(p.envelope, p.sequence, body));
            } catch (Throwable t) {
                        log.warn("subscriber of '{}' failed on a message of '{}' (at most once: not redelivered)", pattern, p.envelope.subject(), t);
            }
        }
    }

    @Override
    void onStop() {
        workers.stop();
        AutoCloseable sub = backendSubscription;
        if (sub != null) {
            try {
                sub.close();
            } catch (Exception e) {
                log.debug("unsubscribe of '{}' failed", pattern, e);
            }
        }
        buffer.clear();
    }

    @Override
    void awaitHandlers(long deadlineNanos) {
        workers.await(deadlineNanos);
    }
}
