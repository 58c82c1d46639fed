package io.baton.tck;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts handlers running at once and remembers the most seen. Thread-safe. */
public final class ConcurrencyMeter {
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();

    /** A handler started. */
    public void enter() {
        int now = active.incrementAndGet();
        max.accumulateAndGet(now, Math::max);
    }

    /** A handler finished. */
    public void exit() {
        active.decrementAndGet();
    }

    /** Counts a handler that works (sleeps) for {@code millis}, then runs {@code after} once it left. */
    public void during(long millis, Runnable after) throws InterruptedException {
        enter();
        try {
            Thread.sleep(millis);
        } finally {
            exit();
        }
        after.run();
    }

    /** Handlers running now. */
    public int active() {
        return active.get();
    }

    /** The most handlers seen running at once. */
    public int max() {
        return max.get();
    }
}
