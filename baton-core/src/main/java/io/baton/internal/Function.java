package io.baton.internal;

import io.baton.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A running function owned by a {@link FunctionRuntime}. Stopping is split in two so that a
 * connection can stop all its functions at once and then wait for them together.
 */
abstract class Function implements Subscription {
    private final FunctionRuntime runtime;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean active = new java.util.concurrent.atomic.AtomicBoolean(true);

    Function(FunctionRuntime runtime) {
        this.runtime = runtime;
    }

    FunctionRuntime runtime() { return runtime; }

    @Override
    public boolean isActive() { return active.get(); }

    @Override
    public CompletableFuture<Void> closed() { return closed; }

    /** Stops taking new work; returns at once. */
    final boolean beginStop() {
        if (!active.compareAndSet(true, false)) return false;
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

    /**
     * Stops because Baton decided so (e.g. a slow consumer); completes {@link #closed()}
     * exceptionally. True if this call stopped it (so that a cause is counted once).
     */
    final boolean fail(RuntimeException reason) {
        if (beginStop()) {
            closed.completeExceptionally(reason);
            Thread.ofVirtual().name("baton-stop").start(() -> awaitStop(System.nanoTime() + runtime.shutdownTimeout().toNanos()));
            return true;
        }
        return false;
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
        Thread self = Thread.currentThread(); // a handler closing its own function must not wait for itself
        for (Thread t : threads) {
            if (t == self) continue;
            long left = deadlineNanos - System.nanoTime();
            try {
                if (left > 0) t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        List<Thread> late = new ArrayList<>();
        for (Thread t : threads) {
            if (t != self && t.isAlive()) {
                t.interrupt();
                late.add(t);
            }
        }
        long graceDeadline = System.nanoTime() + Duration.ofSeconds(1).toNanos(); // one grace second for all
        for (Thread t : late) {
            long left = graceDeadline - System.nanoTime();
            if (left <= 0) break;
            try {
                t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
