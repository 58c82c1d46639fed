package io.baton.internal;

import io.baton.Subscription;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A running function owned by a {@link FunctionRuntime}. Stopping is split in two so that a
 * connection can stop all its functions at once and then wait for them together.
 */
abstract class Function implements Subscription {
    private final FunctionRuntime runtime;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean active = true;

    Function(FunctionRuntime runtime) {
        this.runtime = runtime;
    }

    FunctionRuntime runtime() { return runtime; }

    @Override
    public boolean isActive() { return active; }

    @Override
    public CompletableFuture<Void> closed() { return closed; }

    /** Stops taking new work; returns at once. */
    final boolean beginStop() {
        if (!active) return false;
        active = false;
        onStop();
        return true;
    }

    /** Waits until running handlers finished, then interrupts what is left; releases resources. */
    final void awaitStop(long deadlineNanos) {
        try {
            awaitHandlers(deadlineNanos);
        } finally {
            runtime.forget(this);
            closed.complete(null);
        }
    }

    /** Stops because Baton decided so (e.g. a slow consumer); completes {@link #closed()} exceptionally. */
    final void fail(RuntimeException reason) {
        if (beginStop()) {
            closed.completeExceptionally(reason);
            Thread.ofVirtual().name("baton-stop").start(() -> awaitStop(System.nanoTime() + runtime.shutdownTimeout().toNanos()));
        }
    }

    @Override
    public final void close() {
        beginStop();
        awaitStop(System.nanoTime() + runtime.shutdownTimeout().toNanos());
    }

    /** Stop accepting work (unsubscribe, flag workers). Must not block. */
    abstract void onStop();

    /** Wait for workers until the deadline, then interrupt them and release what they hold. */
    abstract void awaitHandlers(long deadlineNanos);

    /** Joins {@code threads} until the deadline; interrupts and joins briefly those still running. */
    static void joinAll(Iterable<Thread> threads, long deadlineNanos) {
        boolean interrupted = false;
        for (Thread t : threads) {
            long left = deadlineNanos - System.nanoTime();
            try {
                if (left > 0) t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (Thread t : threads) {
            if (t.isAlive()) {
                t.interrupt();
                try {
                    t.join(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
