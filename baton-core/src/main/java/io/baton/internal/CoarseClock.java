package io.baton.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Wall-clock milliseconds read from a field that one daemon thread refreshes every millisecond.
 * Reading the real clock costs about 24 ns on the machines Baton was measured on, as much as a
 * whole queue hand-off; message timestamps, leases, delays and dedupe windows need millisecond
 * precision only. The value may lag the real clock by about a millisecond, never more than a few.
 *
 * <p>The thread starts on first use, and sleeps once nobody has read the clock for about a
 * second: an idle process is not woken a thousand times a second. The read that finds it asleep
 * reads the real clock and wakes it.
 */
public final class CoarseClock {
    /** Ticks (milliseconds) without a read after which the ticker sleeps until the next read. */
    static final int IDLE_TICKS = 1_000;
    private static final Ticker TICKER = new Ticker("baton-clock", IDLE_TICKS);

    private CoarseClock() {}

    /** Epoch milliseconds, at most a few milliseconds behind {@link System#currentTimeMillis()}. */
    public static long millis() {
        return TICKER.millis();
    }

    /** The field and the thread that refreshes it; one per JVM, more in tests. */
    static final class Ticker {
        /** What {@link #now} holds while the ticker sleeps: no real time is this. */
        private static final long ASLEEP = Long.MIN_VALUE;
        private final int idleTicks;
        private final Thread thread;
        /** The time of the last tick, or {@link #ASLEEP}; only the ticker sets it to that, only the one waking read clears it. */
        private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
        /** Set by a read, cleared by each tick: whether anyone read the clock since the last tick. */
        private volatile boolean read;

        Ticker(String name, int idleTicks) {
            this.idleTicks = idleTicks;
            this.thread = Thread.ofPlatform().daemon(true).name(name).start(this::tick);
        }

        long millis() {
            long t = now.get();
            if (t == ASLEEP) return wake();
            if (!read) read = true; // written once a tick at most: readers on many cores do not fight over the line
            return t;
        }

        /** Whether the ticker sleeps until the next read. */
        boolean isAsleep() {
            return now.get() == ASLEEP;
        }

        /**
         * The real time, stored for the reads after this one by the one read that wins the wake-up;
         * a read that loses it (another stored its time first) still answers its own real time.
         */
        private long wake() {
            long t = System.currentTimeMillis();
            if (now.compareAndSet(ASLEEP, t)) {
                read = true;
                LockSupport.unpark(thread);
            }
            return t;
        }

        private void tick() {
            int idle = 0;
            while (true) {
                LockSupport.parkNanos(1_000_000);
                if (read) {
                    read = false;
                    idle = 0;
                } else if (++idle >= idleTicks) {
                    // a read before this store got the last tick's time, fresh; every read after it wakes this thread
                    now.set(ASLEEP);
                    while (now.get() == ASLEEP) LockSupport.park(this);
                    idle = 0;
                    continue;
                }
                now.set(System.currentTimeMillis());
            }
        }
    }
}
