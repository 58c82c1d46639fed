package io.baton.bench.tool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The receiving end of one run, the same for every system: each system's consumers, subscribers or
 * callers report here what arrived, and this counts it, records its latency and gives the
 * producers their credit back.
 *
 * <p>A message's first 8 bytes are its timestamp (the {@link NanoClock} time it was sent, or was
 * meant to be sent at a fixed rate: {@link Pacer}), the next 8 the run's id; the rest is zeros. A
 * message of another run (left on a durable queue by a run that was stopped) is ignored: not
 * counted, no credit. Latency is recorded only for messages stamped at or after the start of
 * measurement, so warm-up messages never reach the histogram.
 *
 * <p>Thread-safe: any number of threads report at once (HdrHistogram's {@link Recorder} is
 * wait-free for them); one thread, the run's, reads the intervals.
 */
public final class Meter {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final NanoClock clock;
    private final int size;
    private final long runId;
    private final int fanout;
    private final int window;
    private final Semaphore credits;
    private final LongAdder arrived = new LongAdder();
    private final LongAdder ignored = new LongAdder();
    private final AtomicLong measuredLeft;
    private final AtomicLong measuredToSend;
    private final CompletableFuture<Long> measuredDone = new CompletableFuture<>();
    private final AtomicLong unconfirmed = new AtomicLong();
    private final Recorder latency = new Recorder(3);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long measureFrom = Long.MAX_VALUE;

    /**
     * @param count  measured messages to wait for (each arrives {@code fanout} times), 0 for none
     * @param window credits: at most this many messages sent and not yet arrived everywhere; 0 for
     *               none (rpc: one call in flight per caller is its own bound)
     */
    public Meter(NanoClock clock, int size, long runId, int fanout, long count, int window) {
        this.clock = clock;
        this.size = size;
        this.runId = runId;
        this.fanout = fanout;
        this.window = window;
        this.credits = window > 0 ? new Semaphore(window * fanout) : null;
        this.measuredLeft = new AtomicLong(count > 0 ? count * fanout : Long.MAX_VALUE);
        this.measuredToSend = new AtomicLong(count > 0 ? count : Long.MAX_VALUE);
    }

    // ---- producers ------------------------------------------------------------------------------

    /** Messages stamped at or after {@code from} are measured. */
    void measureFrom(long from) {
        this.measureFrom = from;
    }

    boolean measured(long stamp) {
        return stamp >= measureFrom;
    }

    /**
     * Claims one of the measured messages to send (with {@code --count}); false once they are all
     * claimed, when the producer stops.
     */
    boolean claimMeasured() {
        return measuredToSend.getAndDecrement() > 0;
    }

    /** A new message of the run's size carrying {@code stamp}. */
    byte[] message(long stamp) {
        byte[] body = new byte[size];
        LONGS.set(body, 0, stamp);
        LONGS.set(body, 8, runId);
        return body;
    }

    /**
     * Takes the credit for one message (one per subscriber), waiting while the window is full;
     * false if {@code stop} said so first.
     */
    boolean takeCredit(BooleanSupplier stop) throws InterruptedException {
        if (credits == null) return true;
        while (!credits.tryAcquire(fanout, 20, TimeUnit.MILLISECONDS)) {
            if (stop.getAsBoolean()) return false;
        }
        return true;
    }

    /** Gives back a credit that {@link #takeCredit} took for a message that was not sent. */
    void returnCredit() {
        if (credits != null) credits.release(fanout);
    }

    /** Watches a send's confirmation: counted until it completes, a failure ends the run. */
    void confirming(CompletableFuture<?> confirmation) {
        if (confirmation == null) return;
        unconfirmed.incrementAndGet();
        confirmation.whenComplete((ok, error) -> {
            if (error != null) fail(error);
            unconfirmed.decrementAndGet();
        });
    }

    // ---- consumers, subscribers, callers --------------------------------------------------------

    /** A consumer or subscriber got {@code body}. */
    public void received(byte[] body) {
        if (body.length < MIN_BODY || (long) LONGS.get(body, 8) != runId) {
            ignored.increment();
            return;
        }
        if (body.length != size) fail(new IllegalStateException("a message of " + body.length + " B arrived; " + size + " B were sent"));
        arrived((long) LONGS.get(body, 0));
        if (credits != null) credits.release();
    }

    /** A caller's call, stamped {@code stamp}, got its reply. */
    void completed(long stamp) {
        arrived(stamp);
    }

    private void arrived(long stamp) {
        long now = clock.nanoTime();
        arrived.increment();
        if (stamp >= measureFrom) {
            latency.recordValue(Math.max(0, now - stamp));
            if (measuredLeft.decrementAndGet() == 0) measuredDone.complete(now);
        }
    }

    private static final int MIN_BODY = 16;

    /** Something went wrong in a consumer, a subscriber or a confirmation: the run stops and says why. */
    public void fail(Throwable error) {
        failure.compareAndSet(null, error);
    }

    // ---- the run's thread -----------------------------------------------------------------------

    long arrived() {
        return arrived.sum();
    }

    long ignored() {
        return ignored.sum();
    }

    /** Completes with the time the last measured message arrived (with {@code --count}). */
    CompletableFuture<Long> measuredDone() {
        return measuredDone;
    }

    /** Measured arrivals so far, with {@code --count}. */
    long measuredArrived(long count) {
        return count * fanout - measuredLeft.get();
    }

    /** The latencies recorded since the last call, in nanoseconds. */
    Histogram interval() {
        return latency.getIntervalHistogram();
    }

    Throwable failure() {
        return failure.get();
    }

    /** Messages sent and not yet arrived everywhere (0 without a window). */
    int inFlight() {
        return credits == null ? 0 : window * fanout - credits.availablePermits();
    }

    long unconfirmed() {
        return unconfirmed.get();
    }
}
