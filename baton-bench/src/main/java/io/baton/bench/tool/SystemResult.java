package io.baton.bench.tool;

import io.baton.bench.SideBySide;
import io.baton.bench.SideBySide.Result;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One system's rounds in one bench, and the figures of its row: each is the median over the rounds
 * (with an even number of rounds, the upper of the two middle ones), with the spread (min–max)
 * beside throughput and p50.
 *
 * @param rounds   the runs that completed, by round number (from 1)
 * @param failures one line per run that failed
 */
public record SystemResult(String name, String label, String description, boolean baton, Map<Integer, Result> rounds,
                           List<String> failures) {
    /** The latency percentiles every table shows: p50, p90, p99, p99.9 and the maximum. */
    public static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};
    public static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9", "max"};

    public SystemResult(String name, String label, String description, boolean baton) {
        this(name, label, description, baton, new TreeMap<>(), new ArrayList<>());
    }

    public boolean hasResults() {
        return !rounds.isEmpty();
    }

    private List<Result> runs() {
        return List.copyOf(rounds.values());
    }

    public double medianRate() {
        return SideBySide.median(runs(), SideBySide.BY_RATE).perSecond();
    }

    public double minRate() {
        return runs().stream().mapToDouble(Result::perSecond).min().orElseThrow();
    }

    public double maxRate() {
        return runs().stream().mapToDouble(Result::perSecond).max().orElseThrow();
    }

    /** The median over rounds of each round's latency at {@code percentile}, in nanoseconds. */
    public long percentile(double percentile) {
        return SideBySide.median(runs(), Comparator.comparingLong(r -> r.percentileNanos(percentile))).percentileNanos(percentile);
    }

    public long minP50() {
        return runs().stream().mapToLong(r -> r.percentileNanos(50)).min().orElseThrow();
    }

    public long maxP50() {
        return runs().stream().mapToLong(r -> r.percentileNanos(50)).max().orElseThrow();
    }

    /**
     * Baton's figure over a peer's: the ratio of the medians, and the lowest and highest ratio of
     * one round's Baton run to the same round's peer run (the rounds alternate, so each pair ran
     * under the same conditions).
     */
    public record Ratio(double median, double min, double max) {}

    /** Baton's throughput over the peer's: above 1, Baton moved more. */
    public static Ratio rateRatio(SystemResult baton, SystemResult peer) {
        return ratio(baton, peer, baton.medianRate() / peer.medianRate(), Result::perSecond);
    }

    /** Baton's p50 over the peer's: below 1, Baton was faster. */
    public static Ratio p50Ratio(SystemResult baton, SystemResult peer) {
        return ratio(baton, peer, (double) baton.percentile(50) / peer.percentile(50), r -> r.percentileNanos(50));
    }

    private static Ratio ratio(SystemResult baton, SystemResult peer, double median, java.util.function.ToDoubleFunction<Result> figure) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Map.Entry<Integer, Result> round : baton.rounds.entrySet()) {
            Result theirs = peer.rounds.get(round.getKey());
            if (theirs == null) continue;
            double r = figure.applyAsDouble(round.getValue()) / figure.applyAsDouble(theirs);
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        return min > max ? new Ratio(median, median, median) : new Ratio(median, min, max);
    }
}
