package io.baton.bench.tool;

import io.baton.bench.SideBySide;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code baton bench}: one workload on Baton and its peers, in alternating rounds. Each peer is
 * first probed; one that cannot run here is skipped with the reason and the others go on. Then,
 * round after round, every system runs once, in the same order, so drift on the machine (other
 * work, the disk, the JIT) hits every system alike. A run that fails is reported and left out.
 */
public final class Bench {
    private Bench() {}

    /**
     * What a bench found: every system that ran, with its rounds; the peers skipped and why; the
     * notes that go with the results (how durable each side really is, say).
     *
     * @param command how it was run, to print with the results
     */
    public record Outcome(BenchSpec spec, String command, Instant started, List<SystemResult> results,
                          Map<String, String> skipped, List<String> notes) {
        /** Baton's result: the first system, the one every ratio divides. */
        public SystemResult baton() {
            return results.stream().filter(SystemResult::baton).findFirst().orElse(null);
        }

        public List<SystemResult> peers() {
            return results.stream().filter(r -> !r.baton()).toList();
        }
    }

    public static Outcome run(BenchSpec spec, List<BenchSystem> systems, List<String> notes, String command, Progress progress,
                              NanoClock clock) {
        Instant started = Instant.now();
        Map<String, String> skipped = new LinkedHashMap<>();
        List<BenchSystem> running = new ArrayList<>();
        List<SystemResult> results = new ArrayList<>();
        for (BenchSystem s : systems) {
            try {
                s.probe();
            } catch (Exception e) {
                String reason = Progress.reason(e);
                skipped.put(s.name(), reason);
                progress.skipped(s.name(), reason);
                continue;
            }
            running.add(s);
            results.add(new SystemResult(s.name(), s.label(spec), s.describe(spec), s.isBaton()));
        }
        for (int round = 1; round <= spec.runs(); round++) {
            for (int i = 0; i < running.size(); i++) {
                SystemResult result = results.get(i);
                progress.started(result.label(), round, spec.runs());
                try {
                    SideBySide.Result r = BenchRun.run(spec, running.get(i), clock, progress::tick);
                    result.rounds().put(round, r);
                    progress.finished(r);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    progress.failed(e);
                    return new Outcome(spec, command, started, results, skipped, notes);
                } catch (Exception e) { // one failed run must not lose the others: say it, go on
                    result.failures().add("round " + round + ": " + Progress.reason(e));
                    progress.failed(e);
                }
            }
        }
        return new Outcome(spec, command, started, results, skipped, notes);
    }
}
