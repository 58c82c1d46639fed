package io.baton.bench.tool;

import io.baton.bench.SideBySide;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * One run of one system: opens its session, starts the producers, reports every second, stops,
 * waits until everything sent has arrived, and takes the session down. The same loop for every
 * system, so that only the system differs.
 *
 * <p>Producers are platform threads, one per {@code --producers}. Each takes a credit
 * ({@link Meter#takeCredit}, the window), stamps a new message and sends it; paced by its
 * {@link Pacer} when there is a rate. For rpc a producer is a caller with one call in flight.
 * The run's own thread ticks once a second: per-second throughput and latency for the progress
 * line, failures, and the end (the measured time is up, or with {@code --count} the last measured
 * message arrived).
 *
 * <p>Throughput is the arrivals (consumed, received by each subscriber, calls completed) between
 * the start of measurement and its end, divided by that time. Latency is every measured message's
 * arrival time minus its stamp, in nanoseconds.
 */
final class BenchRun {
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Nothing arriving for this long while messages are in flight means a stuck system: say so, don't hang. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** One second of a run, for the progress line. */
    record Tick(boolean warmup, double seconds, double fraction, double perSecond, long p50Nanos, long p99Nanos) {}

    private final BenchSpec spec;
    private final NanoClock clock;
    private final Meter meter;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final BooleanSupplier stopped = stop::get;

    private BenchRun(BenchSpec spec, NanoClock clock, Meter meter) {
        this.spec = spec;
        this.clock = clock;
        this.meter = meter;
    }

    /** Runs {@code system} once and returns its throughput and latency histogram. */
    static SideBySide.Result run(BenchSpec spec, BenchSystem system, NanoClock clock, Consumer<Tick> ticks) throws Exception {
        boolean rpc = spec.workload() == Workload.RPC;
        Meter meter = new Meter(clock, spec.size(), ThreadLocalRandom.current().nextLong(), spec.fanout(), spec.count(),
                rpc ? 0 : spec.window());
        BenchSystem.Session session = system.open(spec, meter);
        SideBySide.Result result;
        try {
            result = new BenchRun(spec, clock, meter).measure(session, ticks);
        } catch (Exception | Error e) {
            Cleanup.closeAfter(e, session::close);
            throw e;
        }
        session.close();
        return result;
    }

    private SideBySide.Result measure(BenchSystem.Session session, Consumer<Tick> ticks) throws Exception {
        long origin = clock.nanoTime();
        long from = origin + spec.warmup().toNanos();
        meter.measureFrom(from);
        List<Thread> producers = startProducers(session, origin);
        try {
            return tick(origin, from, ticks, producers);
        } finally {
            stopProducers(producers);
        }
    }

    private void stopProducers(List<Thread> producers) throws InterruptedException {
        stop.set(true);
        for (Thread t : producers) {
            if (!t.join(java.time.Duration.ofSeconds(30))) {
                meter.fail(new IllegalStateException(t.getName() + " did not stop within 30 s (blocked in a send or call)"));
            }
        }
    }

    private List<Thread> startProducers(BenchSystem.Session session, long origin) {
        double interval = spec.rate() == 0 ? 0 : 1e9 / spec.rate();
        List<Thread> producers = new ArrayList<>();
        for (int i = 0; i < spec.producers(); i++) {
            int index = i;
            // producers interleave: producer i's first intended time is i intervals after the first one's
            Pacer pacer = new Pacer(clock, spec.rate() / spec.producers(), origin + Math.round(i * interval));
            producers.add(Thread.ofPlatform().daemon().name("bench-" + spec.producerRole() + "-" + i).start(() -> {
                try {
                    if (spec.workload() == Workload.RPC) call(session.caller(index), pacer);
                    else send(session.sender(index), pacer);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception | Error e) {
                    meter.fail(e);
                }
            }));
        }
        return producers;
    }

    private void send(BenchSystem.Send send, Pacer pacer) throws Exception {
        while (!stop.get()) {
            long intended = pacer.next(stopped);
            if (intended == Pacer.STOPPED || !meter.takeCredit(stopped)) return;
            long stamp = pacer.paced() ? intended : clock.nanoTime();
            if (spec.counted() && meter.measured(stamp) && !meter.claimMeasured()) {
                meter.returnCredit();
                return;
            }
            meter.confirming(send.send(meter.message(stamp)));
        }
    }

    private void call(BenchSystem.Call call, Pacer pacer) throws Exception {
        while (!stop.get()) {
            long intended = pacer.next(stopped);
            if (intended == Pacer.STOPPED) return;
            long stamp = pacer.paced() ? intended : clock.nanoTime();
            if (spec.counted() && meter.measured(stamp) && !meter.claimMeasured()) return;
            byte[] reply = call.call(meter.message(stamp));
            if (reply == null || reply.length != spec.size()) {
                throw new IllegalStateException("a reply of " + (reply == null ? "null" : reply.length + " B") + " came back for a call of " + spec.size() + " B");
            }
            meter.completed(stamp);
        }
    }

    /** The run's thread: a tick a second until the end; then the settled result. */
    private SideBySide.Result tick(long origin, long from, Consumer<Tick> ticks, List<Thread> producers) throws Exception {
        long end = spec.counted() ? Long.MAX_VALUE : from + spec.duration().toNanos();
        Histogram total = new Histogram(3);
        long last = origin;
        long lastArrived = 0;
        long lastChange = origin;
        long startArrived = from <= origin ? 0 : -1;
        long startAt = origin;
        long endAt;
        long endArrived;
        while (true) {
            long next = Math.min(last + TICK_NANOS, last < from ? from : end);
            if (spec.counted() && last >= from) awaitDone(next);
            else clock.parkUntil(next);
            long now = clock.nanoTime();
            long arrivedNow = meter.arrived();
            Histogram interval = meter.interval();
            total.add(interval);
            if (startArrived < 0 && now >= from) {
                startArrived = arrivedNow;
                startAt = now;
            }
            boolean warm = last < from;
            double fraction = warm ? (double) (now - origin) / (from - origin)
                    : spec.counted() ? (double) meter.measuredArrived(spec.count()) / (spec.count() * spec.fanout())
                    : (double) (now - from) / (end - from);
            ticks.accept(new Tick(warm, (now - (warm ? origin : from)) / 1e9, Math.min(1, fraction),
                    (arrivedNow - lastArrived) / ((now - last) / 1e9),
                    interval.getTotalCount() == 0 ? -1 : interval.getValueAtPercentile(50),
                    interval.getTotalCount() == 0 ? -1 : interval.getValueAtPercentile(99)));
            Throwable failure = meter.failure();
            if (failure != null) throw new IllegalStateException(failure.toString(), failure);
            if (arrivedNow != lastArrived || meter.inFlight() == 0) lastChange = now;
            else if (now - lastChange > STALL_NANOS) {
                throw new IllegalStateException("nothing arrived for " + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s with "
                        + meter.inFlight() + " messages in flight");
            }
            last = now;
            lastArrived = arrivedNow;
            if (spec.counted() && meter.measuredDone().isDone()) {
                endAt = meter.measuredDone().join();
                endArrived = arrivedNow;
                break;
            }
            if (!spec.counted() && now >= end) {
                endAt = now;
                endArrived = arrivedNow;
                break;
            }
        }
        stopProducers(producers);
        settle();
        total.add(meter.interval());
        return new SideBySide.Result((endArrived - startArrived) / ((endAt - startAt) / 1e9), total);
    }

    private void awaitDone(long until) throws InterruptedException {
        try {
            meter.measuredDone().get(Math.max(0, until - clock.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // a tick, nothing more
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits until everything sent has arrived and every send is confirmed, so the next run starts clean. */
    private void settle() throws InterruptedException {
        long deadline = clock.nanoTime() + SETTLE_NANOS;
        while (meter.inFlight() > 0 || meter.unconfirmed() > 0) {
            Throwable failure = meter.failure();
            if (failure != null) throw new IllegalStateException(failure.toString(), failure);
            if (clock.nanoTime() > deadline) {
                throw new IllegalStateException(meter.inFlight() + " messages sent and never " + (spec.workload() == Workload.QUEUE ? "consumed" : "received")
                        + ", " + meter.unconfirmed() + " sends unconfirmed, " + TimeUnit.NANOSECONDS.toSeconds(SETTLE_NANOS) + " s after the end");
            }
            clock.parkUntil(clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5));
        }
        Throwable failure = meter.failure();
        if (failure != null) throw new IllegalStateException(failure.toString(), failure);
    }
}
