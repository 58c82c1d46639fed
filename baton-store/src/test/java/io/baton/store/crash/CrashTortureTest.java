package io.baton.store.crash;

import static org.junit.jupiter.api.Assertions.fail;

import io.baton.Baton;
import io.baton.Message;
import io.baton.Queue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The crash torture of the {@code file:} backend (issue 3, item 7). Cycle after cycle, a child JVM
 * ({@link CrashWorkload}) sends, consumes and acknowledges at full speed on one data directory and
 * is killed with SIGKILL at a random moment ({@link Phase}): during JVM start-up and log recovery,
 * in the steady state (mid-append, mid-fsync, at a segment roll: segments are 64 KiB, so they roll
 * every few hundred messages), right into a segment deletion by the log's cleaner, or after a few
 * seconds of whole cleaner passes. The next cycle restarts on the same directory; each producer first re-sends, with
 * the same ids, what it had sent but not seen confirmed. At the end the test drains the queues
 * itself, reopens them once more, and {@link CrashChecker} proves: every acknowledged send was
 * delivered at least once; nothing appeared that was never sent; per-producer order held; dedupe
 * held across restarts.
 *
 * <p>System properties: {@code baton.crash.cycles} (default 50; the {@code long} profile runs
 * 1,000), {@code baton.crash.seed} (default: random, printed; pass it back to replay the same kill
 * schedule), {@code baton.crash.keep=true} to keep the data directory and event files after a
 * success (they are always kept after a failure, under {@code target/crash-torture/}).
 */
class CrashTortureTest {

    private static final int DEFAULT_CYCLES = 50;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /**
     * A run this long must have seen the cleaner delete segments: it keeps everything younger than the
     * longest dedupe window, never less than the default two minutes, and children live long enough
     * for its passes (a second after open, then every second) only in the CLEANUP phase.
     */
    private static final Duration CLEANUP_EXPECTED_AFTER = Duration.ofMinutes(5);
    /** Event and stderr files of this many recent cycles are kept while running, for a post-mortem. */
    private static final int KEEP_RECENT_CYCLES = 5;

    /** Where in a child's life the kill lands. */
    enum Phase {
        /**
         * From the spawn, at a random fraction of the last child's start-up time (at least 900 ms):
         * JVM start, log recovery (torn-tail truncation) and replay, queues being rebuilt.
         */
        STARTUP,
        /** From the child's READY, 50–700 ms: appends, group-commit fsyncs, segment rolls at full speed. */
        STEADY,
        /**
         * Into the cleaner's pass: 0–30 ms after the child saw its first segment file deleted (the
         * cleaner deletes oldest first, fsyncing the directory after each), or, if nothing was deleted
         * within 850–1,500 ms of READY, then (around a pass that found nothing to delete).
         */
        CLEANUP,
        /**
         * From READY, 1.5–4 s: long enough for whole cleaner passes, so that the log stays bounded
         * (the other phases end children before or early in the first pass); a pass with a backlog
         * (thousands of segments, one directory fsync each) is cut at a random point.
         */
        LONG
    }

    record KillPlan(Phase phase, long delayMillis, long afterDeleteMillis) {
        static KillPlan choose(Random random) {
            double r = random.nextDouble();
            if (r < 0.15) return new KillPlan(Phase.STARTUP, random.nextLong(0, 1000), 0); // per mille of the start-up, see below
            if (r < 0.80) return new KillPlan(Phase.STEADY, random.nextLong(50, 701), 0);
            if (r < 0.92) return new KillPlan(Phase.CLEANUP, random.nextLong(850, 1501), random.nextLong(0, 31));
            return new KillPlan(Phase.LONG, random.nextLong(1500, 4001), 0);
        }

        @Override
        public String toString() {
            return switch (phase) {
                case STARTUP -> "STARTUP at " + delayMillis / 10.0 + "% of the last start-up";
                case STEADY, LONG -> phase + " +" + delayMillis + " ms after ready";
                case CLEANUP -> "CLEANUP " + afterDeleteMillis + " ms into a segment deletion, if one comes within " + delayMillis + " ms of ready";
            };
        }
    }

    @Test
    void sigkilledAtRandom_losesNothingAcknowledged_inventsNothing_keepsProducerOrder_andDedupesAcrossRestarts() throws Exception {
        int cycles = intProperty("baton.crash.cycles", DEFAULT_CYCLES);
        long seed = longProperty("baton.crash.seed", System.nanoTime() ^ Double.doubleToLongBits(Math.random()));
        boolean keep = Boolean.getBoolean("baton.crash.keep");
        Random random = new Random(seed);
        Path work = Path.of(System.getProperty("basedir", "."), "target", "crash-torture", "seed-" + seed).toAbsolutePath();
        deleteRecursively(work);
        Path data = work.resolve("data");
        Files.createDirectories(data);
        classPath = snapshotClassPath(work);
        String header = "crash torture: " + cycles + " cycles, seed " + seed + " (replay: -Dbaton.crash.seed=" + seed
                + " -Dbaton.crash.cycles=" + cycles + "), work dir " + work;
        System.out.println(header);

        CrashChecker checker = new CrashChecker(CrashWorkload.DEDUPE_WINDOW.toMillis());
        Map<Phase, Integer> kills = new EnumMap<>(Phase.class);
        Map<String, Integer> childWarnings = new TreeMap<>();
        LogFiles logFiles = new LogFiles(data.resolve("log"));
        int cleanerKills = 0;
        long started = System.nanoTime();
        int cycle = 0;
        for (cycle = 1; cycle <= cycles && !checker.failed(); cycle++) {
            KillPlan plan = KillPlan.choose(random);
            kills.merge(plan.phase(), 1, Integer::sum);
            Path state = work.resolve("state-" + cycle + ".txt");
            Path events = work.resolve("events-" + cycle + ".log");
            Path stderr = work.resolve("child-" + cycle + ".err");
            Files.writeString(state, checker.stateForNextRun(), StandardCharsets.US_ASCII);
            int unconfirmedBefore = checker.unconfirmedCount();

            killedInCleanerPass = false;
            String outcome = runAndKill(cycle, plan, data, events, state, stderr, checker);
            if (killedInCleanerPass) cleanerKills++;
            logFiles.look(cycle, checker);
            CrashChecker.CycleEvents seen = checker.readCycle(cycle, events);
            collectWarnings(stderr, childWarnings);
            if (cycle <= 3 || cycle % 10 == 0 || cycle == cycles || checker.failed()) {
                System.out.printf("cycle %d/%d: killed %s (%s); re-sent %d of %d unconfirmed, sent %,d new, %,d acknowledged, %,d delivered%n",
                        cycle, cycles, plan, outcome, seen.resends(), unconfirmedBefore, seen.sends() - seen.resends(), seen.acks(), seen.deliveries());
            }
            if (!checker.failed() && !keep) {
                Files.deleteIfExists(state);
                deleteOld(work, cycle - KEEP_RECENT_CYCLES);
            }
        }
        int ran = cycle - 1;

        double cycleSeconds = (System.nanoTime() - started) / 1e9;
        if (!checker.failed() && cycleSeconds > CLEANUP_EXPECTED_AFTER.toSeconds() && logFiles.deleted == 0) {
            checker.coverage(ran, "in " + Math.round(cycleSeconds) + " s of cycles the cleaner deleted no log segment, though the consumers keep up "
                    + "and segments older than the longest dedupe window (the backend keeps at least 2 min) are deletable once acknowledged");
        }
        if (!checker.failed()) {
            drain(data, checker);
            checker.finish();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String summary = String.format("%s%nran %d cycles in %.1f s; kills: %s, of which %d aimed into a segment deletion by the cleaner%n"
                        + "log segments: %s%n%s%n%s", header, ran, seconds, kills, cleanerKills, logFiles, checker.statistics(), checker.unconfirmedSummary());
        if (!childWarnings.isEmpty()) {
            summary += "children's warnings and errors (count, message with numbers as #):\n"
                    + childWarnings.entrySet().stream().limit(20).map(e -> "  " + e.getValue() + "x " + e.getKey()).reduce("", (a, b) -> a + b + "\n");
        }
        System.out.println(summary);
        if (checker.failed()) {
            fail("the crash torture found violations (seed " + seed + "; files kept in " + work + "):\n"
                    + checker.violationReport() + "\n" + summary);
        }
        if (!keep) deleteRecursively(work);
    }

    /** The children's class path, a snapshot taken at the start. */
    private String classPath;
    private volatile long readyAfterMillis;
    /** How long the last child that got ready took to get there. */
    private volatile long lastReadyMillis;
    /** Whether the last {@link #runAndKill} aimed its kill at a segment deletion it saw. */
    private boolean killedInCleanerPass;

    /** Runs one child, kills it per {@code plan}, and waits for it to be gone. */
    private String runAndKill(int cycle, KillPlan plan, Path data, Path events, Path state, Path stderr, CrashChecker checker)
            throws IOException, InterruptedException {
        List<String> command = List.of(javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m", "-Xshare:auto",
                "-cp", classPath, CrashWorkload.class.getName(), data.toString(), events.toString(), state.toString());
        Process child = new ProcessBuilder(command)
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                .start();
        long spawned = System.nanoTime();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch deleting = new CountDownLatch(1);
        StringBuilder stdout = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.equals(CrashWorkload.READY)) {
                        readyAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawned);
                        lastReadyMillis = readyAfterMillis;
                        ready.countDown();
                    }
                    else if (line.equals(CrashWorkload.DELETING)) deleting.countDown();
                    else synchronized (stdout) { if (stdout.length() < 10_000) stdout.append(line).append('\n'); }
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
        try {
            if (plan.phase() == Phase.STARTUP) {
                // the start-up (JVM, then recovery and replay of a log that grows) took lastReadyMillis last time
                long startup = Math.max(900, lastReadyMillis + 100);
                sleepUntil(spawned + TimeUnit.MILLISECONDS.toNanos(startup * plan.delayMillis() / 1000));
            } else {
                long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
                while (!ready.await(20, TimeUnit.MILLISECONDS)) {
                    if (!child.isAlive() || System.nanoTime() > deadline) break;
                }
                if (ready.getCount() == 0 && plan.phase() != Phase.CLEANUP) {
                    Thread.sleep(plan.delayMillis());
                } else if (ready.getCount() == 0 && deleting.await(plan.delayMillis(), TimeUnit.MILLISECONDS)) {
                    if (plan.afterDeleteMillis() > 0) Thread.sleep(plan.afterDeleteMillis());
                    killedInCleanerPass = true;
                }
            }
            boolean alive = child.isAlive();
            boolean wasReady = ready.getCount() == 0;
            child.destroyForcibly(); // SIGKILL on Linux
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                checker.childFailure(cycle, "the child survived SIGKILL for 30 s");
                return "not dead";
            }
            reader.join(Duration.ofSeconds(5));
            if (!alive) {
                checker.childFailure(cycle, "the child ended by itself with exit code " + child.exitValue() + " before the kill (" + plan + ")"
                        + stdoutAndStderr(stdout, stderr));
                return "exited by itself";
            }
            if (plan.phase() != Phase.STARTUP && !wasReady) {
                checker.childFailure(cycle, "the child was not ready after " + READY_TIMEOUT + stdoutAndStderr(stdout, stderr));
                return "never ready";
            }
            long lived = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawned);
            return (wasReady ? "ready after " + readyAfterMillis + " ms" : "not yet ready") + (killedInCleanerPass ? ", cleaner deleting" : "") + ", lived ~" + lived + " ms, exit " + child.exitValue();
        } finally {
            if (child.isAlive()) child.destroyForcibly();
        }
    }

    /** Takes everything left, acknowledging it, in this JVM; then reopens once and expects nothing. */
    private static void drain(Path data, CrashChecker checker) {
        String url = CrashWorkload.url(data);
        try (Baton baton = Baton.connect(url)) {
            for (int q = 0; q < CrashWorkload.QUEUES.length; q++) {
                Queue<String> queue = baton.queue(CrashWorkload.QUEUES[q], String.class, CrashWorkload.queueOptions());
                for (Optional<Message<String>> m; (m = queue.receive(Duration.ofSeconds(2), CrashWorkload.consumeOptions(1))).isPresent(); ) {
                    Message<String> msg = m.get();
                    checker.delivered(CrashChecker.DRAIN, q, String.valueOf(msg.id()), String.valueOf(msg.body()), msg.sequence(), msg.attempt(),
                            msg.timestamp().toEpochMilli(), msg.key());
                    msg.ack();
                }
                var stats = queue.stats();
                if (stats.waiting() != 0 || stats.inFlight() != 0) checker.queueNotEmpty(q, stats.toString());
                Queue<String> dlq = baton.queue(CrashWorkload.QUEUES[q] + ".dlq", String.class);
                for (Optional<Message<String>> m; (m = dlq.receive(Duration.ofMillis(200))).isPresent(); ) {
                    checker.deadLettered(q, m.get().id(), m.get().body(), m.get().headers());
                    m.get().ack();
                }
            }
        }
        try (Baton baton = Baton.connect(url)) {
            for (int q = 0; q < CrashWorkload.QUEUES.length; q++) {
                Queue<String> queue = baton.queue(CrashWorkload.QUEUES[q], String.class, CrashWorkload.queueOptions());
                for (Optional<Message<String>> m; (m = queue.receive(Duration.ofMillis(500))).isPresent(); ) {
                    checker.deliveredAfterCleanClose(q, m.get().id(), m.get().sequence(), m.get().attempt());
                    m.get().ack();
                }
            }
        }
    }

    /** The segment files seen after each kill: proof that segments rolled and were cleaned up, and no quarantine. */
    private static final class LogFiles {
        private final Path dir;
        private final java.util.Set<String> seen = new java.util.HashSet<>();
        private final java.util.Set<String> present = new java.util.HashSet<>();
        private final java.util.Set<String> quarantined = new java.util.HashSet<>();
        private int deleted;
        private int most;

        LogFiles(Path dir) {
            this.dir = dir;
        }

        void look(int cycle, CrashChecker checker) throws IOException {
            if (!Files.isDirectory(dir)) return;
            java.util.Set<String> now = new java.util.HashSet<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    if (name.contains(".corrupt")) {
                        if (quarantined.add(name)) checker.corruptionReported(cycle, "recovery put " + dir.resolve(name) + " in quarantine");
                    } else if (name.endsWith(".log")) {
                        now.add(name);
                    }
                }
            }
            for (String name : present) if (!now.contains(name)) deleted++;
            seen.addAll(now);
            present.clear();
            present.addAll(now);
            most = Math.max(most, now.size());
        }

        @Override
        public String toString() {
            return seen.size() + " created, " + deleted + " deleted by the cleaner, at most " + most + " at once, " + present.size() + " at the end"
                    + (quarantined.isEmpty() ? "" : ", QUARANTINED: " + quarantined);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String javaBinary() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(java)) return java.toString();
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * The children's class path: surefire's real test class path (it may run this JVM from a
     * manifest-only jar), else this JVM's, with its directories (target/classes, target/test-classes)
     * copied into the work dir first, so that a rebuild while the torture runs (an IDE, another
     * build) cannot hand later children half-compiled classes.
     */
    private static String snapshotClassPath(Path work) throws IOException {
        String surefire = System.getProperty("surefire.test.class.path");
        String original = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        List<String> entries = new java.util.ArrayList<>();
        int n = 0;
        for (String entry : original.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) continue;
            Path source = Path.of(entry);
            if (Files.isDirectory(source)) {
                Path copy = work.resolve("classpath").resolve(String.valueOf(n++));
                copyRecursively(source, copy);
                entries.add(copy.toString());
            } else {
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) Thread.sleep(Duration.ofNanos(left));
    }

    private static String stdoutAndStderr(StringBuilder stdout, Path stderr) {
        String out;
        synchronized (stdout) {
            out = stdout.toString();
        }
        String err;
        try {
            err = Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            err = "(cannot read " + stderr + ": " + e + ")";
        }
        if (err.length() > 6000) err = "..." + err.substring(err.length() - 6000);
        return "\n      child stdout: " + (out.isBlank() ? "(empty)" : out.strip()) + "\n      child stderr: " + (err.isBlank() ? "(empty)" : err.strip());
    }

    /** Counts the children's WARN/ERROR log lines (slf4j-simple), numbers folded, for the summary. */
    private static void collectWarnings(Path stderr, Map<String, Integer> into) throws IOException {
        if (!Files.exists(stderr)) return;
        try (Stream<String> lines = Files.lines(stderr, StandardCharsets.UTF_8)) {
            lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.startsWith("Exception") || l.contains("Exception in thread"))
                    .map(l -> l.replaceAll("\\d+", "#"))
                    .map(l -> l.length() > 300 ? l.substring(0, 300) + "..." : l)
                    .forEach(l -> into.merge(l, 1, Integer::sum));
        } catch (java.io.UncheckedIOException e) {
            into.merge("(unreadable child stderr " + stderr.getFileName() + ")", 1, Integer::sum);
        }
    }

    private static void deleteOld(Path work, int upToCycle) throws IOException {
        if (upToCycle < 1) return;
        for (String prefix : List.of("events-", "child-")) {
            Files.deleteIfExists(work.resolve(prefix + upToCycle + (prefix.equals("events-") ? ".log" : ".err")));
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static int intProperty(String name, int fallback) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank() || v.startsWith("${")) return fallback; // an unset Maven property arrives verbatim
        return Integer.parseInt(v.trim());
    }

    private static long longProperty(String name, long fallback) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank() || v.startsWith("${")) return fallback;
        return Long.parseLong(v.trim());
    }
}
