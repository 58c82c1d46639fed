package io.baton.bench.tool;

import java.util.Locale;

/** What {@code baton bench} measures: which pattern, what it counts, and what its latency is. */
public enum Workload {
    /** Send to one of the competing consumers, which acks: messages consumed per second; latency from send to consume. */
    QUEUE("msgs/s consumed", "send to consume"),
    /** Publish to every subscriber: messages received per second (all subscribers together); latency from publish to receive. */
    PUBSUB("msgs/s received", "publish to receive"),
    /** Call a served function and wait for its reply: calls completed per second; latency of the round trip. */
    RPC("calls/s", "call round trip");

    private final String rateUnit;
    private final String latencyMeaning;

    Workload(String rateUnit, String latencyMeaning) {
        this.rateUnit = rateUnit;
        this.latencyMeaning = latencyMeaning;
    }

    /** The name on the command line: {@code queue}, {@code pubsub} or {@code rpc}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String rateUnit() {
        return rateUnit;
    }

    public String latencyMeaning() {
        return latencyMeaning;
    }

    /** The workload named {@code id}, in any case. */
    public static Workload parse(String id) {
        for (Workload w : values()) {
            if (w.id().equalsIgnoreCase(id)) return w;
        }
        throw new IllegalArgumentException("the workload must be queue, pubsub or rpc, not '" + id + "'");
    }
}
