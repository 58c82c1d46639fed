package io.baton.bench.tool;

import io.baton.bench.SideBySide;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results as Markdown: the table that the command prints, and the whole results.md around it. */
public final class MarkdownReport {
    private MarkdownReport() {}

    /**
     * One row per system: throughput (median and spread over rounds), latency percentiles (medians
     * over rounds), and for each peer Baton's throughput and p50 over the peer's.
     */
    public static String table(Bench.Outcome o) {
        BenchSpec spec = o.spec();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| system | %s (median of %d) | spread (min-max) |", spec.workload().rateUnit(), spec.runs()));
        for (String p : SystemResult.PERCENTILE_NAMES) b.append(' ').append(p).append(" |");
        b.append(" Baton/peer ").append(spec.workload() == Workload.RPC ? "calls/s" : "msgs/s").append(" | Baton/peer p50 |\n");
        b.append("|---|---:|---:|").append("---:|".repeat(SystemResult.PERCENTILES.length)).append("---:|---:|\n");
        SystemResult baton = o.baton();
        for (SystemResult r : o.results()) {
            b.append("| ").append(r.label()).append(" | ");
            if (!r.hasResults()) {
                b.append("every run failed |").append(" |".repeat(SystemResult.PERCENTILES.length + 3)).append('\n');
                continue;
            }
            b.append(String.format(Locale.ROOT, "%,.0f | %,.0f-%,.0f |", r.medianRate(), r.minRate(), r.maxRate()));
            for (double p : SystemResult.PERCENTILES) b.append(' ').append(SideBySide.micros(r.percentile(p))).append(" |");
            if (r.baton() || baton == null || !baton.hasResults()) {
                b.append(" - | - |\n");
            } else {
                b.append(' ').append(ratio(SystemResult.rateRatio(baton, r))).append(" | ")
                        .append(ratio(SystemResult.p50Ratio(baton, r))).append(" |\n");
            }
        }
        return b.toString();
    }

    /** {@code 0.85x}, with the range of the rounds' ratios where there were several: {@code 0.85x (0.80-0.90)}. */
    static String ratio(SystemResult.Ratio r) {
        String median = number(r.median()) + "x";
        return r.min() == r.max() ? median : median + " (" + number(r.min()) + "-" + number(r.max()) + ")";
    }

    /** Two decimals, or two significant digits below 0.1 (a ratio of 0.004 is not 0.00). */
    private static String number(double ratio) {
        return String.format(Locale.ROOT, Math.abs(ratio) >= 0.1 || ratio == 0 ? "%.2f" : "%.2g", ratio);
    }

    /** results.md: what ran, where, the table, what each system did, what was skipped or failed. */
    public static String document(Bench.Outcome o) {
        BenchSpec spec = o.spec();
        StringBuilder b = new StringBuilder();
        b.append("# baton bench ").append(spec.workload().id()).append("\n\n");
        b.append("Command: `").append(o.command()).append("`  \n");
        b.append("Started: ").append(o.started()).append("  \n");
        b.append(String.format(Locale.ROOT, "Machine: %d cores, %s %s (%s), Java %s (%s)%n%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"), Runtime.version(),
                System.getProperty("java.vendor")));
        b.append("Workload: ").append(spec.workload().id()).append(", ").append(spec.describe()).append(". Throughput: ")
                .append(spec.workload().rateUnit()).append("; latency: ").append(spec.workload().latencyMeaning())
                .append(spec.rate() > 0 ? ", from each message's intended send time (corrected for coordinated omission)" : "")
                .append(".\n\n");
        b.append(table(o)).append('\n');
        b.append("Each figure is the median over the rounds; the spread is the lowest and highest round. Baton/peer: Baton's figure over ")
                .append("the peer's (throughput: above 1 Baton moved more; p50: below 1 Baton was faster), and in brackets the lowest and ")
                .append("highest ratio of one round's runs.\n\n");
        b.append("## Systems\n\n");
        for (SystemResult r : o.results()) b.append("- **").append(r.label()).append("**: ").append(r.description()).append('\n');
        for (Map.Entry<String, String> s : o.skipped().entrySet()) {
            b.append("- **").append(s.getKey()).append("**: skipped: ").append(s.getValue()).append('\n');
        }
        List<String> failures = o.results().stream().flatMap(r -> r.failures().stream().map(f -> r.label() + ", " + f)).toList();
        if (!failures.isEmpty()) {
            b.append("\n## Failed runs\n\n");
            for (String f : failures) b.append("- ").append(f).append('\n');
        }
        if (!o.notes().isEmpty()) {
            b.append("\n## Notes\n\n");
            for (String n : o.notes()) b.append("- ").append(n).append('\n');
        }
        return b.toString();
    }
}
