package io.baton.cli;

import io.baton.Baton;
import io.baton.BatonException;
import io.baton.CallOptions;
import io.baton.ConsumeOptions;
import io.baton.Message;
import io.baton.Queue;
import io.baton.QueueStats;
import io.baton.RemoteException;
import io.baton.Subscription;
import io.baton.Topic;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code baton demo}: functions talking through Baton, using the public API only.
 *
 * <p>By default it starts a Baton server (durable storage in a temporary directory) and runs two
 * OS processes against it: the <em>processor</em> ({@code processData} and the {@code stats}
 * function) and the <em>generator</em> ({@code generateData}, two topic subscribers, the RPC
 * caller); it relays their output, checks both succeeded, and removes the server and its data.
 * With {@code --url} everything runs in this process on that backend.
 *
 * <ol>
 *   <li>Queue: {@code generateData} sends readings to {@code demo.readings}; {@code processData},
 *       a consumer, takes them in send order and acknowledges each.</li>
 *   <li>Topic: one event on {@code demo.events.processed} reaches two subscribers, one on the
 *       subject and one on the pattern {@code demo.events.*}.</li>
 *   <li>RPC: {@code stats} serves {@code demo.stats}; one call returns a result, a second one the
 *       handler's error as {@link RemoteException}.</li>
 * </ol>
 *
 * Every wait is bounded by {@code --timeout}; whatever did not happen is listed and the exit code
 * is 1. Readings carry a run id so that, on a durable backend, messages left over by an earlier
 * failed run are recognised (acked and counted) instead of being mistaken for this run's.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        header = "Plays a queue, a topic and RPC between functions, checking each step.",
        description = {
            "generateData sends readings to a queue; processData consumes them in",
            "send order, acking each. An event fans out to two topic subscribers.",
            "One RPC call returns a result, a second one the handler's error.",
            "Prints one line per step and a summary; exits 1 if any step did not",
            "happen within --timeout."
        })
final class DemoCommand implements Callable<Integer> {

    /** What generateData produces and processData consumes. */
    record Reading(String run, int seq, String sensor, double value) {}

    /** The event that announces processed readings. */
    record Processed(String run, int readings, int sensors) {}

    /** An RPC request: one sensor's values. */
    record Series(String sensor, List<Double> values) {}

    /** The RPC reply. */
    record Stats(String sensor, int n, double mean, double min, double max) {}

    static final String READINGS = "demo.readings";
    static final String EVENTS = "demo.events.processed";
    static final String EVENTS_PATTERN = "demo.events.*";
    static final String STATS = "demo.stats";

    private static final int SENSORS = 3;
    // Past TRACE_ALL readings, only the first TRACE_HEAD and the last TRACE_TAIL get a line each.
    private static final int TRACE_ALL = 14;
    private static final int TRACE_HEAD = 10;
    private static final int TRACE_TAIL = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL",
            description = "Run everything in this process on this backend (mem:, file:DIR, baton://HOST:PORT) instead of two processes through a server of its own.")
    String url;

    /** The run id: given by --run, else this process's own. */
    String runOrNew() {
        return run;
    }

    /** What this process plays: everything (with --url), or one side of the two-process demo. */
    enum Role { all, generator, processor }

    @Option(names = "--role", defaultValue = "all", hidden = true)
    Role role;

    @Option(names = "--run", hidden = true, description = "The run id the two processes share.")
    String runId;

    @Option(names = "--count", defaultValue = "20", paramLabel = "N",
            description = "Readings to send through the queue (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Longest wait for each step (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    private String run = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private PrintWriter out;
    private Duration timeout;

    // Queue step; processData runs on virtual threads, one message at a time.
    private int sent;
    private final AtomicInteger nextSeq = new AtomicInteger(1);
    private final Set<Integer> seen = ConcurrentHashMap.newKeySet();
    private final AtomicInteger processed = new AtomicInteger();
    private final AtomicInteger acked = new AtomicInteger();
    private final AtomicInteger outOfOrder = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger stale = new AtomicInteger();
    private final Map<String, List<Double>> series = new ConcurrentHashMap<>();
    private CountDownLatch allProcessed;
    private QueueStats queueStats;

    // Topic and RPC steps.
    private final AtomicInteger deliveries = new AtomicInteger();
    private int rpcResults;
    private int rpcRemoteErrors;
    private boolean connected;

    @Override
    public Integer call() throws InterruptedException {
        if (count < 1) throw new ParameterException(spec.commandLine(), "--count must be at least 1: " + count);
        if (timeoutSeconds < 1) throw new ParameterException(spec.commandLine(), "--timeout must be at least 1: " + timeoutSeconds);
        if (role != Role.all && (url == null || runId == null)) throw new ParameterException(spec.commandLine(), "--role needs --url and --run");
        out = spec.commandLine().getOut();
        timeout = Duration.ofSeconds(timeoutSeconds);
        allProcessed = new CountDownLatch(count);
        if (runId != null) run = runId;
        if (url == null) return new TwoProcessDemo(this).run();

        long start = System.nanoTime();
        if (role == Role.all) line("baton demo on " + url + "  (" + count + " readings, run " + run + ")");
        try (Baton baton = Baton.connect(url)) {
            connected = true;
            switch (role) {
                case all -> {
                    queueStep(baton);
                    topicStep(baton);
                    rpcStep(baton);
                }
                case processor -> processorRole(baton);
                case generator -> generatorRole(baton);
            }
        } catch (BatonException e) {
            problems.add("Baton failed: " + describe(e));
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        summary(elapsedMillis);
        return problems.isEmpty() ? 0 : 1;
    }

    // ---- the two processes of the default demo ----

    static final String DONE = "demo.control.done";
    static final String READY = "processor ready";

    /** processData and the stats function; announces the processed readings, serves until the generator is done. */
    @SuppressWarnings("try") // the subscriptions are held open for the block, not used in it
    private void processorRole(Baton baton) throws InterruptedException {
        CountDownLatch generatorDone = new CountDownLatch(1);
        try (Subscription done = baton.topic(DONE, String.class).subscribe(r -> {
                if (run.equals(r)) generatorDone.countDown();
            });
             Subscription server = baton.serve(STATS, Series.class, this::stats)) {
            Queue<Reading> readings = baton.queue(READINGS, Reading.class);
            QueueStats before = readings.stats();
            try (Subscription processor = readings.consumeMessages(this::processData, ConsumeOptions.builder().concurrency(1).build())) {
                line(READY);
                if (!allProcessed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    problems.add("processData handled " + processed.get() + " of " + count + " readings within " + timeoutSeconds + " s");
                }
            }
            queueStats = readings.stats();
            sent = (int) (queueStats.sent() - before.sent()); // the generator's sends, as the queue counted them
            checkQueueStats(before, queueStats);
            Processed event = new Processed(run, processed.get(), series.size());
            line("report", "->", EVENTS, describe(event));
            baton.topic(EVENTS, Processed.class).publish(event);
            if (!generatorDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                problems.add("the generator did not say it was done within " + timeoutSeconds + " s");
            }
        } catch (BatonException e) {
            problems.add("processor: " + describe(e));
        }
    }

    /** generateData, the two subscribers of the event, and the RPC caller. */
    @SuppressWarnings("try") // the subscriptions are held open for the block, not used in it
    private void generatorRole(Baton baton) throws InterruptedException {
        try {
            CountDownLatch dashboardGot = new CountDownLatch(1);
            CountDownLatch auditGot = new CountDownLatch(1);
            try (Subscription dashboard = baton.topic(EVENTS, Processed.class).subscribe(e -> onEvent("dashboard", EVENTS, e, dashboardGot));
                 Subscription audit = baton.topic(EVENTS_PATTERN, Processed.class).subscribe(e -> onEvent("audit", EVENTS_PATTERN, e, auditGot))) {
                generateData(baton.queue(READINGS, Reading.class));
                long deadline = System.nanoTime() + timeout.toNanos();
                if (!await(dashboardGot, deadline)) problems.add("subscriber 'dashboard' (" + EVENTS + ") got no event within " + timeoutSeconds + " s");
                if (!await(auditGot, deadline)) problems.add("subscriber 'audit' (" + EVENTS_PATTERN + ") got no event within " + timeoutSeconds + " s");
            }
            rpcCalls(baton, "sensor-a", count / SENSORS + (count % SENSORS > 0 ? 1 : 0));
        } catch (BatonException e) {
            problems.add("generator: " + describe(e));
        } finally {
            try {
                baton.topic(DONE, String.class).publish(run);
            } catch (BatonException e) {
                problems.add("could not tell the processor it is done: " + describe(e));
            }
        }
    }

    // ---- queue: generateData -> demo.readings -> processData ----

    private void queueStep(Baton baton) throws InterruptedException {
        try {
            Queue<Reading> readings = baton.queue(READINGS, Reading.class);
            QueueStats before = readings.stats();
            Subscription processor = readings.consumeMessages(this::processData,
                    ConsumeOptions.builder().concurrency(1).build());
            try {
                generateData(readings);
                if (!allProcessed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    problems.add("processData handled " + processed.get() + " of " + count
                            + " readings within " + timeoutSeconds + " s");
                }
            } finally {
                processor.close();
            }
            queueStats = readings.stats();
            checkQueueStats(before, queueStats);
        } catch (BatonException e) {
            problems.add("queue " + READINGS + ": " + describe(e));
        }
    }

    /** The producer: one reading per sequence number, sent in order. */
    private void generateData(Queue<Reading> readings) {
        for (int seq = 1; seq <= count; seq++) {
            Reading reading = reading(seq);
            // Traced before sending, so that the consumer's line never comes first.
            if (traced(seq)) {
                line("generateData", "->", READINGS, "#" + seq + " " + reading.sensor() + " " + reading.value());
            } else if (seq == TRACE_HEAD + 1) {
                line("generateData", "->", READINGS, "... " + (count - TRACE_HEAD - TRACE_TAIL) + " more");
            }
            readings.send(reading);
            sent++;
        }
    }

    /** The consumer: checks send order, keeps each sensor's values, acknowledges. */
    private void processData(Message<Reading> message) {
        Reading reading = message.body();
        if (!run.equals(reading.run())) {
            message.ack();   // left by an earlier run that failed: not this run's to check
            acked.incrementAndGet();
            stale.incrementAndGet();
            return;
        }
        int seq = reading.seq();
        String attempt = message.attempt() > 1 ? " (attempt " + message.attempt() + ")" : "";
        if (!seen.add(seq)) {
            // At least once: a redelivery of a reading already processed is acked, not processed again.
            message.ack();
            acked.incrementAndGet();
            duplicates.incrementAndGet();
            line("processData", "<-", READINGS, "#" + seq + " duplicate" + attempt + ", ack");
            return;
        }
        int expected = nextSeq.getAndSet(seq + 1);
        String order = "";
        if (seq != expected) {
            outOfOrder.incrementAndGet();
            order = " OUT OF ORDER, expected #" + expected;
        }
        series.computeIfAbsent(reading.sensor(), sensor -> new CopyOnWriteArrayList<>()).add(reading.value());
        message.ack();
        acked.incrementAndGet();
        processed.incrementAndGet();
        if (traced(seq) || !order.isEmpty() || !attempt.isEmpty()) {
            line("processData", "<-", READINGS, "#" + seq + " " + reading.sensor() + " " + reading.value() + attempt + " ack" + order);
        } else if (seq == TRACE_HEAD + 1) {
            line("processData", "<-", READINGS, "... " + (count - TRACE_HEAD - TRACE_TAIL) + " more");
        }
        allProcessed.countDown();
    }

    private void checkQueueStats(QueueStats before, QueueStats after) {
        if (outOfOrder.get() > 0) problems.add(outOfOrder.get() + " readings reached processData out of send order");
        long sentDelta = after.sent() - before.sent();
        long ackedDelta = after.acked() - before.acked();
        if (sentDelta != sent) problems.add("queue stats count " + sentDelta + " sent, generateData sent " + sent);
        if (ackedDelta != acked.get()) problems.add("queue stats count " + ackedDelta + " acked, processData acked " + acked.get());
        if (after.waiting() != 0 || after.inFlight() != 0) {
            problems.add("queue " + READINGS + " still holds " + after.waiting() + " waiting and " + after.inFlight() + " in flight");
        }
    }

    // ---- topic: one event, two subscribers ----

    private void topicStep(Baton baton) throws InterruptedException {
        try {
            Topic<Processed> events = baton.topic(EVENTS, Processed.class);
            CountDownLatch dashboardGot = new CountDownLatch(1);
            CountDownLatch auditGot = new CountDownLatch(1);
            Subscription dashboard = events.subscribe(e -> onEvent("dashboard", EVENTS, e, dashboardGot));
            Subscription audit = baton.topic(EVENTS_PATTERN, Processed.class)
                    .subscribe(e -> onEvent("audit", EVENTS_PATTERN, e, auditGot));
            try {
                Processed event = new Processed(run, processed.get(), series.size());
                line("report", "->", EVENTS, describe(event));
                events.publish(event);
                long deadline = System.nanoTime() + timeout.toNanos();
                if (!await(dashboardGot, deadline)) problems.add("subscriber 'dashboard' (" + EVENTS + ") got no event within " + timeoutSeconds + " s");
                if (!await(auditGot, deadline)) problems.add("subscriber 'audit' (" + EVENTS_PATTERN + ") got no event within " + timeoutSeconds + " s");
            } finally {
                dashboard.close();
                audit.close();
            }
            if (deliveries.get() > 2) problems.add("one event was delivered " + deliveries.get() + " times to 2 subscribers");
        } catch (BatonException e) {
            problems.add("topic " + EVENTS + ": " + describe(e));
        }
    }

    private void onEvent(String subscriber, String pattern, Processed event, CountDownLatch got) {
        if (!run.equals(event.run())) return;   // another demo on the same backend
        deliveries.incrementAndGet();
        line(subscriber, "<-", pattern, describe(event));
        got.countDown();
    }

    private static String describe(Processed event) {
        return event.readings() + " readings processed, " + event.sensors() + " sensors";
    }

    // ---- RPC: a result, then a remote error ----

    private void rpcStep(Baton baton) {
        try {
            Subscription server = baton.serve(STATS, Series.class, this::stats);
            try {
                rpcCalls(baton);
            } finally {
                server.close();
            }
        } catch (BatonException e) {
            problems.add("rpc " + STATS + ": " + describe(e));
        }
    }

    private void rpcCalls(Baton baton) {
        List<Double> values = List.copyOf(series.getOrDefault("sensor-a", List.of()));
        rpcCalls(baton, "sensor-a", values.size(), values);
    }

    /** The generator has no series of its own: it sends the values it generated for the sensor. */
    private void rpcCalls(Baton baton, String sensor, int expected) {
        List<Double> values = new java.util.ArrayList<>();
        for (int seq = 1; seq <= count; seq++) {
            Reading r = reading(seq);
            if (r.sensor().equals(sensor)) values.add(r.value());
        }
        rpcCalls(baton, sensor, expected, values);
    }

    private void rpcCalls(Baton baton, String sensor, int expected, List<Double> values) {
        CallOptions options = CallOptions.timeout(timeout);
        Stats result = baton.call(STATS, new Series(sensor, values), Stats.class, options);
        line("report", "<-", STATS, String.format(Locale.ROOT, "%s n=%d mean=%.2f min=%.1f max=%.1f",
                sensor, result.n(), result.mean(), result.min(), result.max()));
        if (result.n() != expected) {
            problems.add("stats counted " + result.n() + " values of " + sensor + ", expected " + expected);
        } else {
            rpcResults++;
        }

        try {
            Stats unexpected = baton.call(STATS, new Series("sensor-z", List.of()), Stats.class, options);
            problems.add("the call for sensor-z returned " + unexpected + " instead of a remote error");
        } catch (RemoteException e) {
            line("report", "<-", STATS, "RemoteException " + e.remoteType() + ": " + e.remoteMessage());
            rpcRemoteErrors++;
        }
    }

    /** The RPC function: statistics of one sensor's values; no values is the caller's error. */
    private Stats stats(Series request) {
        int n = request.values().size();
        line("stats", "<-", STATS, request.sensor() + ", " + n + (n == 1 ? " value" : " values"));
        if (request.values().isEmpty()) throw new IllegalArgumentException("no readings for " + request.sensor());
        DoubleSummaryStatistics s = request.values().stream().mapToDouble(Double::doubleValue).summaryStatistics();
        return new Stats(request.sensor(), (int) s.getCount(), s.getAverage(), s.getMin(), s.getMax());
    }

    // ---- output ----

    private void summary(long elapsedMillis) {
        if (connected) stepSummaries();
        if (problems.isEmpty()) {
            if (role == Role.all) line("ok in " + elapsedMillis + " ms");
        } else {
            PrintWriter err = spec.commandLine().getErr();
            err.println("demo FAILED after " + elapsedMillis + " ms:");
            problems.forEach(p -> err.println("  - " + p));
            err.flush();
        }
    }

    private void stepSummaries() {
        if (role != Role.generator) queueSummary();
        if (role != Role.processor) {
            line("topic  " + EVENTS + ": " + deliveries.get() + " of 2 subscribers got the event");
            line("rpc    " + STATS + ": " + rpcResults + " result" + (rpcResults == 1 ? "" : "s") + ", "
                    + rpcRemoteErrors + " remote error" + (rpcRemoteErrors == 1 ? "" : "s"));
        }
    }

    private void queueSummary() {
        String queue = "queue  " + READINGS + ": sent " + sent + ", processed " + processed.get()
                + (outOfOrder.get() == 0 ? " in send order" : " (" + outOfOrder.get() + " out of order)")
                + ", acked " + acked.get();
        if (duplicates.get() > 0) queue += " (" + duplicates.get() + " redelivered duplicates)";
        if (stale.get() > 0) queue += " (" + stale.get() + " left by an earlier run)";
        if (queueStats != null) {
            queue += "; now waiting " + queueStats.waiting() + ", in flight " + queueStats.inFlight();
            if (queueStats.redelivered() > 0) queue += ", redelivered " + queueStats.redelivered();
            if (queueStats.dropped() > 0) queue += ", dropped " + queueStats.dropped();
        }
        line(queue);
    }

    private boolean traced(int seq) {
        return count <= TRACE_ALL || seq <= TRACE_HEAD || seq > count - TRACE_TAIL;
    }

    private void line(String function, String arrow, String where, String what) {
        line(String.format(Locale.ROOT, "%-12s %s %s  %s", function, arrow, where, what));
    }

    void line(String text) {
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }

    // ---- helpers ----

    /** The reading generateData sends as number {@code seq}: sensors take turns, values are smooth. */
    private Reading reading(int seq) {
        String sensor = "sensor-" + (char) ('a' + (seq - 1) % SENSORS);
        double value = Math.round((21.0 + 2.5 * Math.sin(seq * 0.7)) * 10) / 10.0;
        return new Reading(run, seq, sensor, value);
    }

    private static boolean await(CountDownLatch latch, long deadlineNanos) throws InterruptedException {
        return latch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private static String describe(BatonException e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
