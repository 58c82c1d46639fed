package io.baton.bench.tool;

import io.baton.bench.SideBySide;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * What a bench says while it runs. On a terminal, one progress bar per run, redrawn in place each
 * second; otherwise (a file, a pipe, CI), one plain line per second. Either way a summary line
 * per run. Used by one thread, the bench's.
 */
public final class Progress {
    private static final int BAR = 24;

    private final PrintWriter out;
    private final boolean terminal;
    private final Workload workload;
    private String current = "";
    private int width;

    public Progress(PrintWriter out, boolean terminal, Workload workload) {
        this.out = out;
        this.terminal = terminal;
        this.workload = workload;
    }

    void skipped(String system, String reason) {
        out.printf("skipped %s: %s%n", system, reason);
        out.flush();
    }

    void started(String label, int round, int rounds) {
        current = String.format(Locale.ROOT, "round %d/%d  %-36s", round, rounds, label);
        if (!terminal) {
            out.println(current.stripTrailing());
            out.flush();
        }
    }

    void tick(BenchRun.Tick t) {
        String rate = String.format(Locale.ROOT, "%,12.0f %s", t.perSecond(), workload.rateUnit());
        String latency = t.p50Nanos() < 0 || t.warmup() ? "" : "  p50 " + SideBySide.micros(t.p50Nanos()) + "  p99 " + SideBySide.micros(t.p99Nanos());
        if (terminal) {
            int filled = (int) Math.round(Math.max(0, t.fraction()) * BAR);
            String bar = (t.warmup() ? "warm-up " : "") + "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "]";
            redraw(String.format(Locale.ROOT, "%s %s %3.0f%% %s%s", current, bar, 100 * Math.max(0, t.fraction()), rate, latency));
        } else {
            out.printf(Locale.ROOT, "  %-8s %5.1f s %s%s%n", t.warmup() ? "warm-up" : "measured", t.seconds(), rate, latency);
            out.flush();
        }
    }

    void finished(SideBySide.Result r) {
        String line = String.format(Locale.ROOT, "%s %,12.0f %s  p50 %s  p99 %s", terminal ? current : "  =", r.perSecond(), workload.rateUnit(),
                SideBySide.micros(r.percentileNanos(50)), SideBySide.micros(r.percentileNanos(99)));
        end(line);
    }

    void failed(Throwable error) {
        end((terminal ? current : " ") + " FAILED: " + reason(error));
    }

    private void end(String line) {
        if (terminal) {
            redraw(line);
            out.println();
            width = 0;
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void redraw(String line) {
        out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        width = line.length();
        out.flush();
    }

    /** An exception as one line: its message, and its cause's where that says more. */
    static String reason(Throwable error) {
        Throwable e = error;
        while (e.getCause() != null && e.getCause() != e && (e.getMessage() == null || e.getMessage().equals(e.getCause().toString()))) {
            e = e.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return e instanceof IllegalStateException || e instanceof IllegalArgumentException ? message : e.getClass().getSimpleName() + ": " + message;
    }
}
