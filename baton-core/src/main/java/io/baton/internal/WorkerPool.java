package io.baton.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The virtual threads of one function. Each worker is {@code BUSY} (running a handler),
 * {@code IDLE} (waiting for work) or {@code STOPPED}. Stopping interrupts only idle workers, so a
 * close is prompt without ever interrupting a running handler; a busy worker sees the stop when it
 * next goes idle.
 */
final class WorkerPool {
    private static final int BUSY = 0, IDLE = 1, STOPPED = 2;

    /** One worker's loop; it calls {@link Slot#idle()} and {@link Slot#busy()} around each wait. */
    @FunctionalInterface
    interface Body {
        void run(Slot slot);
    }

    /** A worker's state. */
    static final class Slot {
        private final AtomicInteger state = new AtomicInteger(BUSY);
        private volatile Thread thread;

        /** About to wait for work; false if the pool is stopping (then the worker returns). */
        boolean idle() {
            return state.compareAndSet(BUSY, IDLE);
        }

        /**
         * Got work (or woke up); false if the pool stopped meanwhile: then the worker hands back what
         * it got and returns. Clears a stop's interrupt so that it cannot reach a handler.
         */
        boolean busy() {
            if (state.compareAndSet(IDLE, BUSY)) return true;
            Thread.interrupted();
            return false;
        }

        boolean stopped() {
            return state.get() == STOPPED;
        }
    }

    private final List<Slot> slots = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean stopped;

    synchronized WorkerPool start(String name, int count, Body body) {
        if (stopped) return this; // stopped before it started (a close raced the start): start nothing
        for (int i = 0; i < count; i++) {
            Slot slot = new Slot();
            slots.add(slot);
            Thread t = Thread.ofVirtual().name(name + "-" + i).unstarted(() -> body.run(slot));
            slot.thread = t;
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** Tells every worker to stop; wakes the idle ones. Does not wait. */
    synchronized void stop() {
        stopped = true;
        for (Slot s : slots) {
            if (s.state.getAndSet(STOPPED) == IDLE) s.thread.interrupt();
        }
    }

    /** Waits for the workers until the deadline, then interrupts those still running handlers. */
    void await(long deadlineNanos) {
        List<Thread> snapshot;
        synchronized (this) {
            snapshot = List.copyOf(threads);
        }
        Function.joinAll(snapshot, deadlineNanos);
    }

}
