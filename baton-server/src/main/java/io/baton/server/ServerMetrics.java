package io.baton.server;

import io.baton.QueueOptions;
import io.baton.QueueStats;
import io.baton.spi.Backend;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the server counts, for {@code /metrics} (Prometheus text) and {@code /stats} (JSON): the
 * server's own counters, each queue's stats (queues this server has served since it started),
 * consumers waiting per queue, dead letters per source queue, and RPC call latency.
 */
public final class ServerMetrics {
    final AtomicLong slowConsumersCutOff = new AtomicLong();
    final AtomicLong protocolErrors = new AtomicLong();
    final AtomicLong rejectedConnections = new AtomicLong();
    final AtomicLong authenticationFailures = new AtomicLong();
    final AtomicLong permissionDenials = new AtomicLong();
    final LongAdder sent = new LongAdder();
    final LongAdder published = new LongAdder();
    final LongAdder calls = new LongAdder();
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> consumers = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> deadLetters = new ConcurrentHashMap<>();
    /** RPC latency in microseconds, swapped out at each scrape: percentiles of the last interval. */
    private final Recorder callLatency = new Recorder(3);
    private Histogram lastInterval;

    public long slowConsumersCutOff() { return slowConsumersCutOff.get(); }

    public long protocolErrors() { return protocolErrors.get(); }

    public long rejectedConnections() { return rejectedConnections.get(); }

    public long authenticationFailures() { return authenticationFailures.get(); }

    public long permissionDenials() { return permissionDenials.get(); }

    void queueUsed(String queue) {
        if (queues.add(queue) && queue.endsWith(io.baton.Headers.DLQ_SUFFIX)) {
            deadLetters.computeIfAbsent(queue, q -> new LongAdder());
        }
    }

    void sentTo(String queue) {
        sent.increment();
        if (queue.endsWith(io.baton.Headers.DLQ_SUFFIX)) deadLetters.computeIfAbsent(queue, q -> new LongAdder()).increment();
    }

    AtomicInteger consumersOf(String queue) {
        return consumers.computeIfAbsent(queue, q -> new AtomicInteger());
    }

    void callTook(long micros) {
        calls.increment();
        callLatency.recordValue(Math.max(1, Math.min(micros, 3_600_000_000L)));
    }

    private synchronized Histogram latencySinceLastScrape() {
        lastInterval = callLatency.getIntervalHistogram(lastInterval);
        return lastInterval;
    }

    /** Prometheus text exposition format, version 0.0.4. */
    String prometheus(BatonServer server) {
        StringBuilder b = new StringBuilder(4096);
        gauge(b, "baton_connections", "Open client connections.", server.connectionCount());
        counter(b, "baton_messages_sent_total", "Messages sent to queues.", sent.sum());
        counter(b, "baton_messages_published_total", "Messages published to topics.", published.sum());
        counter(b, "baton_rpc_calls_total", "RPC calls answered or failed.", calls.sum());
        counter(b, "baton_slow_consumers_cut_off_total", "Subscriptions cut off for falling behind.", slowConsumersCutOff.get());
        counter(b, "baton_protocol_errors_total", "Connections closed for breaking the protocol.", protocolErrors.get());
        counter(b, "baton_rejected_connections_total", "Connections refused at the connection limit.", rejectedConnections.get());
        counter(b, "baton_authentication_failures_total", "Failed logins.", authenticationFailures.get());
        counter(b, "baton_permission_denials_total", "Verbs refused by permissions.", permissionDenials.get());

        Map<String, QueueStats> stats = queueStats(server.backend());
        header(b, "baton_queue_waiting", "gauge", "Messages waiting in a queue.");
        stats.forEach((q, s) -> sample(b, "baton_queue_waiting", q, s.waiting()));
        header(b, "baton_queue_in_flight", "gauge", "Messages delivered and not yet settled.");
        stats.forEach((q, s) -> sample(b, "baton_queue_in_flight", q, s.inFlight()));
        header(b, "baton_queue_consumers", "gauge", "Consumers waiting for messages of a queue right now.");
        stats.forEach((q, s) -> sample(b, "baton_queue_consumers", q, consumers.getOrDefault(q, new AtomicInteger()).get()));
        queueCounter(b, stats, "baton_queue_sent_total", "Messages sent to a queue.", QueueStats::sent);
        queueCounter(b, stats, "baton_queue_acked_total", "Messages acknowledged.", QueueStats::acked);
        queueCounter(b, stats, "baton_queue_redelivered_total", "Deliveries after the first.", QueueStats::redelivered);
        queueCounter(b, stats, "baton_queue_dropped_total", "Messages dropped as the oldest of a full queue.", QueueStats::dropped);
        queueCounter(b, stats, "baton_queue_rejected_total", "Sends refused by a full queue.", QueueStats::rejected);
        header(b, "baton_dead_letters_total", "counter", "Messages dead-lettered, by dead-letter queue.");
        deadLetters.forEach((q, n) -> sample(b, "baton_dead_letters_total", q, n.sum()));

        Histogram h = latencySinceLastScrape();
        header(b, "baton_rpc_call_seconds", "summary", "RPC call latency through the server, since the last scrape.");
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            b.append("baton_rpc_call_seconds{quantile=\"").append(q).append("\"} ")
                    .append(format(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(q * 100) / 1e6)).append('\n');
        }
        b.append("baton_rpc_call_seconds_count ").append(h.getTotalCount()).append('\n');
        return b.toString();
    }

    /** The same numbers, for {@code /stats}. */
    Map<String, Object> stats(BatonServer server) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", server.connectionCount());
        m.put("messagesSent", sent.sum());
        m.put("messagesPublished", published.sum());
        m.put("rpcCalls", calls.sum());
        m.put("slowConsumersCutOff", slowConsumersCutOff.get());
        m.put("protocolErrors", protocolErrors.get());
        m.put("rejectedConnections", rejectedConnections.get());
        m.put("authenticationFailures", authenticationFailures.get());
        m.put("permissionDenials", permissionDenials.get());
        Map<String, Object> perQueue = new LinkedHashMap<>();
        queueStats(server.backend()).forEach((q, s) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("waiting", s.waiting());
            one.put("inFlight", s.inFlight());
            one.put("consumers", consumers.getOrDefault(q, new AtomicInteger()).get());
            one.put("sent", s.sent());
            one.put("acked", s.acked());
            one.put("redelivered", s.redelivered());
            one.put("dropped", s.dropped());
            one.put("rejected", s.rejected());
            one.put("duplicates", s.duplicates());
            perQueue.put(q, one);
        });
        m.put("queues", perQueue);
        return m;
    }

    private Map<String, QueueStats> queueStats(Backend backend) {
        Map<String, QueueStats> stats = new LinkedHashMap<>();
        for (String q : new TreeSet<>(queues)) stats.put(q, backend.queue(q, QueueOptions.defaults()).stats());
        return stats;
    }

    private static void queueCounter(StringBuilder b, Map<String, QueueStats> stats, String name, String help,
                                     java.util.function.ToLongFunction<QueueStats> value) {
        header(b, name, "counter", help);
        stats.forEach((q, s) -> sample(b, name, q, value.applyAsLong(s)));
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        header(b, name, "gauge", help);
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder b, String name, String help, long value) {
        header(b, name, "counter", help);
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, String queue, long value) {
        b.append(name).append("{queue=\"").append(queue.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"} ").append(value).append('\n');
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.6f", seconds);
    }
}
