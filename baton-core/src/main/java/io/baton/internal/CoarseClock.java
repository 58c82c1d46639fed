package io.baton.internal;

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
        private final int idleTicks;
        private final Thread thread;
        private volatile long now = System.currentTimeMillis();
        /** Set by a read, cleared by each tick: whether anyone read the clock since the last tick. */
        private volatile boolean read;
        /** Set by the ticker before it parks for good; cleared by the read that wakes it. */
        private volatile boolean asleep;

        Ticker(String name, int idleTicks) {
            this.idleTicks = idleTicks;
            this.thread = Thread.ofPlatform().daemon(true).name(name).start(this::tick);
        }

        long millis() {
            if (asleep) return wake();
            if (!read) read = true; // written once a tick at most: readers on many cores do not fight over the line
            return now;
        }

        /** Whether the ticker sleeps until the next read. */
        boolean isAsleep() {
            return asleep;
        }

        private long wake() {
            long t = System.currentTimeMillis();
            now = t; // before asleep is cleared: a read that sees it awake sees this time, not the one it fell asleep at
            read = true;
            asleep = false;
            LockSupport.unpark(thread);
            return t;
        }

        private void tick() {
            int idle = 0;
            while (true) {
                LockSupport.parkNanos(1_000_000);
                now = System.currentTimeMillis();
                if (read) {
                    read = false;
                    idle = 0;
                } else if (++idle >= idleTicks) {
                    asleep = true;
                    // a read that came before asleep was set found the time of this tick; every later one wakes this thread
                    while (asleep) LockSupport.park(this);
                    idle = 0;
                }
            }
        }
    }
}
