package io.baton.spi;

import io.baton.StartPosition;
import java.util.concurrent.CompletableFuture;

/** A backend's publish/subscribe. Subjects and patterns are already validated by core. */
public interface TopicChannel {

    /** Publishes to every matching subscription; completes once the backend accepted it. */
    CompletableFuture<Void> publish(Envelope envelope);

    /**
     * Ephemeral subscription. {@code sink} is called for each matching message, on the
     * backend's thread: it must not block.
     *
     * @return closing it unsubscribes
     */
    AutoCloseable subscribe(String pattern, EnvelopeSink sink);

    /**
     * The durable subscription {@code name} over {@code pattern}, created at {@code start} if it
     * does not exist, otherwise resumed where it stopped. Everyone opening one name shares its
     * messages.
     *
     * @throws io.baton.InvalidNameException if {@code name} exists with another pattern
     */
    DeliverySource durable(String name, String pattern, StartPosition start);

    /** Receives ephemeral messages. */
    @FunctionalInterface
    interface EnvelopeSink {
        void accept(Envelope envelope, long sequence);

        /**
         * The backend ended this subscription itself (a server cut it off as a slow consumer, say):
         * no more messages come, and closing it is no longer needed. Nothing by default.
         */
        default void endedByBackend(io.baton.BatonException reason) { }
    }

}
