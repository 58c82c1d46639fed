package io.baton.bench.tool;

import java.util.function.BooleanSupplier;

/**
 * When one producer sends its next message. Unpaced (rate 0), at once. Paced, message {@code k}
 * has an <em>intended</em> send time, {@code start + k / rate}, fixed in advance: {@link #next}
 * waits for it and returns it. A producer that fell behind (the system made it wait) finds the
 * intended times of its next messages already past and sends them at once, catching up; it does
 * not shift the schedule. Latency is measured from the intended time, so the time a message spent
 * waiting to be sent because the system was slow counts against the system: the correction for
 * coordinated omission (Gil Tene's "How NOT to measure latency"; wrk2 and HdrHistogram's
 * {@code recordValueWithExpectedInterval} are other ways to it).
 *
 * <p>One pacer per producer thread; not thread-safe.
 */
final class Pacer {
    /** How often a waiting pacer looks at its stop signal. */
    private static final long STOP_CHECK_NANOS = 50_000_000;

    /** What {@link #next} returns when it was stopped while waiting (no clock reads this value). */
    static final long STOPPED = Long.MIN_VALUE;

    private final NanoClock clock;
    private final double intervalNanos;
    private final long start;
    private long sent;

    /**
     * @param ratePerSecond this producer's rate, 0 for as fast as possible
     * @param start         the intended time of the first message
     */
    Pacer(NanoClock clock, double ratePerSecond, long start) {
        if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) throw new IllegalArgumentException("rate must be 0 or more: " + ratePerSecond);
        this.clock = clock;
        this.intervalNanos = ratePerSecond == 0 ? 0 : 1e9 / ratePerSecond;
        this.start = start;
    }

    boolean paced() {
        return intervalNanos > 0;
    }

    /** The intended time of the message after the last one {@link #next} returned. */
    long intended() {
        return start + Math.round(sent * intervalNanos);
    }

    /**
     * Paced: waits until the next message's intended time and returns it (at once if it is past).
     * Unpaced: returns the current time. Returns early, with {@link #STOPPED}, once {@code stop} says so.
     */
    long next(BooleanSupplier stop) throws InterruptedException {
        if (!paced()) return clock.nanoTime();
        long intended = intended();
        long now;
        while ((now = clock.nanoTime()) < intended) {
            if (stop.getAsBoolean()) return STOPPED;
            clock.parkUntil(Math.min(intended, now + STOP_CHECK_NANOS));
        }
        sent++;
        return intended;
    }
}
