package io.baton.bench.tool;

import java.util.concurrent.locks.LockSupport;

/**
 * The time the harness reads and waits on, in nanoseconds of {@link System#nanoTime()}: one clock
 * for the whole JVM, so a timestamp written by a producer is comparable with the time its consumer
 * reads. Tests pass a fake one to check pacing and latency without waiting.
 */
public interface NanoClock {
    /** The real clock. */
    NanoClock SYSTEM = new NanoClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void parkUntil(long deadline) throws InterruptedException {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
                if (Thread.interrupted()) throw new InterruptedException();
            }
        }
    };

    long nanoTime();

    /** Returns once {@link #nanoTime()} has reached {@code deadline} (at once if it has). */
    void parkUntil(long deadline) throws InterruptedException;
}
