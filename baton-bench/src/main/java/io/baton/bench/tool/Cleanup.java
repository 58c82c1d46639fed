package io.baton.bench.tool;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a session must undo, undone in reverse order; every step runs even if an earlier one failed.
 * Used from the thread that opens and closes a session.
 */
final class Cleanup {
    /** One step; may throw anything, {@link InterruptedException} included (jnats's close does). */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private final Deque<Step> steps = new ArrayDeque<>();

    void add(Step step) {
        steps.push(step);
    }

    /** Runs {@code close} after {@code failure}: a failure to close is added to it, not thrown over it. */
    static void closeAfter(Throwable failure, Runnable close) {
        try {
            close.run();
        } catch (RuntimeException closing) {
            failure.addSuppressed(closing);
        }
    }

    /** Runs every step, last registered first; throws the first failure, with the others suppressed. */
    void close() {
        RuntimeException first = null;
        boolean interrupted = false;
        while (!steps.isEmpty()) {
            try {
                steps.pop().run();
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (Exception e) {
                if (first == null) first = new IllegalStateException("cleaning up: " + e, e);
                else first.addSuppressed(e);
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (first != null) throw first;
    }
}
