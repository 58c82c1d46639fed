package io.baton;

import java.util.concurrent.CompletableFuture;

/**
 * A running function: a queue consumer, a topic subscription or an RPC server.
 * {@link #close()} stops taking new work, waits (bounded) for running handlers, and returns
 * un-acknowledged messages to their queue.
 */
public interface Subscription extends AutoCloseable {

    /** True until closed or cut off. */
    boolean isActive();

    /**
     * Completes when this function stops: normally after {@link #close()}, exceptionally with the
     * reason if it was stopped by Baton (for example {@link SlowConsumerException}).
     */
    CompletableFuture<Void> closed();

    /** Stops gracefully; idempotent. */
    @Override
    void close();
}
