package io.baton.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.store.FaultyChannelFactory.Loss;
import io.baton.store.RecoveryReport.Corruption;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power-loss property, over generated cases: appends of random sizes from random numbers of
 * threads into logs with random segment sizes (so rolls happen), under a random durability mode;
 * then a crash at a random write/fsync/truncate/create (or after the last append): a power loss
 * that drops or tears what was not fsynced, or a process crash; sometimes a full disk for a while
 * before it; sometimes bit flips in sealed segments afterwards; sometimes a second crash during
 * recovery. Then the log is reopened and checked:
 * <ul>
 *   <li>every append whose future completed is there, byte for byte, at its position, in order
 *       (under fsync; in every mode after a process crash), unless a flipped bit hit its bytes;
 *   <li>nothing is there that was never appended; per-thread order holds; positions grow;
 *   <li>every flipped bit is reported: a corruption in that file whose range holds the byte (so
 *       at an offset at or before it), and no record holding it is served;
 *   <li>without flips nothing is reported as corruption (a torn tail is a tail), and tails are
 *       only ever cut off the last segment.
 * </ul>
 * {@code -Dbaton.powerloss.cases=N} sets the number of cases (CI: 10,000; {@code -Plong}: 200,000),
 * {@code -Dbaton.powerloss.seed=S} replays a run, {@code -Dbaton.powerloss.case=I} one case of it.
 */
class PowerLossTest {

    private static final int CASES = Integer.getInteger("baton.powerloss.cases", 10_000);
    private static final long SEED = Long.getLong("baton.powerloss.seed", new Random().nextLong());
    private static final int ONLY_CASE = Integer.getInteger("baton.powerloss.case", -1);

    @TempDir
    Path root;

    private final Stats stats = new Stats();

    @Test
    void acknowledgedRecordsSurvive_nothingIsInvented_everyFlippedBitIsDetected() throws Exception {
        int first = ONLY_CASE >= 0 ? ONLY_CASE : 0;
        int end = ONLY_CASE >= 0 ? ONLY_CASE + 1 : CASES;
        AtomicInteger next = new AtomicInteger(first);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // Cases wait on writer threads a good part of the time: more workers than cores keeps the cores busy.
        int workers = Integer.getInteger("baton.powerloss.workers", Math.min(16, 4 * Runtime.getRuntime().availableProcessors()));
        Path base = filesFor(root);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        // Every case crashes on purpose, so the log reports at WARN and ERROR on every case: tens of
        // thousands of expected lines. slf4j-simple writes to the current System.err, so mute it for
        // the run (a single case replayed with -Dbaton.powerloss.case keeps them).
        PrintStream stderr = System.err;
        if (ONLY_CASE < 0 && !Boolean.getBoolean("baton.powerloss.verbose")) System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            for (int w = 0; w < workers; w++) {
                threads.add(Thread.ofPlatform().name("power-loss-" + w).start(() -> {
                    int i;
                    while (failure.get() == null && (i = next.getAndIncrement()) < end) {
                        Path dir = base.resolve("case-" + i);
                        try {
                            new Case(new Random(SEED ^ (i * 0x9E3779B97F4A7C15L)), dir).run();
                        } catch (Throwable t) {
                            failure.compareAndSet(null, new AssertionError("power-loss case " + i + " failed; replay it with -Dbaton.powerloss.seed="
                                + SEED + " -Dbaton.powerloss.case=" + i + ": " + t.getMessage(), t));
                        } finally {
                            deleteRecursively(dir);
                        }
                    }
                }));
            }
            for (Thread t : threads) t.join();
        } finally {
            System.setErr(stderr);
            if (!base.equals(root)) deleteRecursively(base);
        }
        System.out.printf("power loss: %d cases (seed %d) in %.1f s: %s%n", end - first, SEED, (System.nanoTime() - start) / 1e9, stats);
        if (failure.get() != null) throw new AssertionError(failure.get().getMessage(), failure.get());
    }

    /** One planned append. */
    private record Planned(long id, int appender, int index, int type, byte[] payload, CompletableFuture<Long> future) {
        boolean acknowledged() { return future.isDone() && !future.isCompletedExceptionally(); }
    }

    private record Flip(Path file, long offset, long position) {}

    private final class Case {
        final Random random;
        final Path dir;
        final FaultyChannelFactory disk;
        final LogOptions options;
        final List<Planned> planned = new ArrayList<>();
        final Map<Long, Planned> byId = new HashMap<>();
        final List<Flip> flips = new ArrayList<>();
        Loss crash;

        Case(Random random, Path dir) {
            this.random = random;
            this.dir = dir;
            this.disk = new FaultyChannelFactory(random.nextLong());
            long segmentBytes = switch (random.nextInt(4)) {
                case 0 -> 64 + random.nextInt(400);     // a roll every record or two
                default -> 500 + random.nextInt(8000);  // a roll now and then
            };
            Durability durability = switch (random.nextInt(10)) {
                case 0 -> Durability.OS_BUFFERED;
                case 1 -> Durability.fsyncEvery(Duration.ofMillis(1));
                default -> Durability.FSYNC;
            };
            this.options = LogOptions.defaults().withSegmentBytes(segmentBytes).withMaxRecordBytes(4096)
                                     .withDurability(durability).withChannels(disk);
        }

        void run() throws Exception {
            if (random.nextInt(4) == 0) history();
            SegmentedLog log = SegmentedLog.open(dir, options);
            int appenders = 1 + random.nextInt(4);
            int each = random.nextInt(random.nextInt(5) == 0 ? 120 : 30);
            crash = Loss.values()[random.nextInt(Loss.values().length)];
            if (random.nextInt(7) == 0) {
                long from = 1 + random.nextInt(appenders * each * 2 + 5);
                disk.diskFullBetweenOps(disk.ops() + from, disk.ops() + from + 1 + random.nextInt(8));
                stats.diskFull.incrementAndGet();
            }
            boolean waitEach = random.nextBoolean();
            if (random.nextInt(10) < 8) disk.crashAtOp(1 + random.nextInt(appenders * each * (waitEach ? 2 : 1) + 6), crash);
            appendConcurrently(log, appenders, each, waitEach);
            if (!disk.crashed()) disk.powerLoss(crash);
            else stats.midOperation.incrementAndGet();
            log.close();  // the dead process's log: every channel fails now; close must still return
            disk.reboot();

            if (random.nextInt(4) == 0) flipBits();
            SegmentedLog reopened = reopen();
            RecoveryReport report = reopened.recoveryReport();
            List<LogRecord> recovered = new ArrayList<>();
            reopened.replay(0, recovered::add);
            check(report, recovered);
            if (random.nextInt(8) == 0) reopened = appendAndReopenCleanly(reopened, report);
            reopened.close();
            stats.cases.incrementAndGet();
        }

        /** A few segments written and closed cleanly before the run that crashes. */
        void history() throws IOException {
            try (SegmentedLog log = SegmentedLog.open(dir, options)) {
                int n = random.nextInt(40);
                for (int i = 0; i < n; i++) plan(log, 99, i).future.join();
            }
        }

        Planned plan(SegmentedLog log, int appender, int index) {
            long id = ((long) appender << 32) | index;
            int size = 8 + (random.nextInt(10) == 0 ? random.nextInt(1500) : random.nextInt(60));
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            ByteBuffer.wrap(payload).putLong(id);
            int type = random.nextInt(256);
            Planned p = new Planned(id, appender, index, type, payload, log.append(type, payload));
            synchronized (planned) {
                planned.add(p);
                byId.put(id, p);
            }
            return p;
        }

        void appendConcurrently(SegmentedLog log, int appenders, int each, boolean waitEach) throws Exception {
            List<Random> randoms = new ArrayList<>();
            for (int a = 0; a < appenders; a++) randoms.add(new Random(random.nextLong()));
            List<Thread> threads = new ArrayList<>();
            for (int a = 0; a < appenders; a++) {
                int appender = a;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < each; i++) {
                        Planned p;
                        synchronized (random) {
                            p = plan(log, appender, i);
                        }
                        if (waitEach) {
                            try {
                                p.future.join();
                            } catch (RuntimeException failed) {
                                // a crash or a full disk: keep going, as a sender that retries would
                            }
                        }
                        if (randoms.get(appender).nextInt(8) == 0) Thread.yield();
                    }
                }));
            }
            for (Thread t : threads) t.join();
            List<Planned> all;
            synchronized (planned) {
                all = new ArrayList<>(planned);
            }
            for (Planned p : all) {
                try {
                    p.future.get(20, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException failed) {
                    // not acknowledged
                } catch (java.util.concurrent.TimeoutException hang) {
                    throw new AssertionError("an append never completed", hang);
                }
            }
        }

        void flipBits() throws IOException {
            List<Path> segments = FaultyChannelFactory.segmentFiles(dir);
            if (segments.size() < 2) return;
            List<Path> sealed = segments.subList(0, segments.size() - 1);
            Set<String> used = new HashSet<>();
            int n = 1 + random.nextInt(3);
            for (int k = 0; k < n; k++) {
                Path file = sealed.get(random.nextInt(sealed.size()));
                long size = Files.size(file);
                long offset = (long) (random.nextDouble() * size);
                if (!used.add(file + ":" + offset)) continue;
                disk.flipBit(file, offset, random.nextInt(8));
                long base = Long.parseLong(file.getFileName().toString().substring(0, 20));
                flips.add(new Flip(file.toAbsolutePath(), offset, offset < 32 ? -1 : base + offset - 32));
                stats.flips.incrementAndGet();
            }
        }

        SegmentedLog reopen() throws IOException {
            if (random.nextInt(10) == 0) {
                disk.crashAtOp(1 + random.nextInt(6), Loss.values()[random.nextInt(Loss.values().length)]);
                try {
                    SegmentedLog log = SegmentedLog.open(dir, options);
                    if (!disk.crashed()) {
                        disk.reboot();  // recovery had less to do than the crash needed: cancel it
                        return log;
                    }
                    log.close();
                } catch (IOException crashedDuringRecovery) {
                    assertThat(disk.crashed()).as("open failed without a crash: %s", crashedDuringRecovery).isTrue();
                }
                stats.crashInRecovery.incrementAndGet();
                disk.reboot();
            }
            return SegmentedLog.open(dir, options);
        }

        void check(RecoveryReport report, List<LogRecord> recovered) throws IOException {
            boolean mustKeepAcknowledged = options.durability() instanceof Durability.Fsync || crash == Loss.PROCESS_ONLY;
            long previousPosition = -1;
            long previousTimestamp = Long.MIN_VALUE;
            Map<Integer, Integer> lastIndex = new HashMap<>();
            Set<Long> seen = new HashSet<>();
            for (LogRecord r : recovered) {  // plain checks: this loop runs for every record of every case
                if (r.position() <= previousPosition) fail("positions must grow: %d after %d", r.position(), previousPosition);
                if (r.timestamp() < previousTimestamp) fail("timestamps must not decrease: %d after %d", r.timestamp(), previousTimestamp);
                previousPosition = r.position();
                previousTimestamp = r.timestamp();
                Planned p = r.payload().length < 8 ? null : byId.get(ByteBuffer.wrap(r.payload()).getLong());
                if (p == null) fail("the record at %d was never appended", r.position());
                if (!Arrays.equals(r.payload(), p.payload) || r.type() != p.type) fail("the record at %d differs from what was appended", r.position());
                if (!seen.add(p.id)) fail("the record at %d appears twice", r.position());
                if (p.acknowledged() && r.position() != p.future.join()) fail("the record at %d was acknowledged at %d", r.position(), p.future.join());
                Integer before = lastIndex.put(p.appender, p.index);
                if (before != null && p.index <= before) fail("appender %d's record %d comes after its record %d", p.appender, p.index, before);
                long end = r.position() + 22 + r.payload().length;
                for (Flip f : flips) {
                    if (f.position >= r.position() && f.position < end) {
                        fail("the flipped bit at %s offset %d was served undetected in the record at %d", f.file, f.offset, r.position());
                    }
                }
            }
            for (Planned p : planned) {
                if (!p.acknowledged()) continue;
                stats.acknowledged.incrementAndGet();
                if (seen.contains(p.id)) continue;
                long position = p.future.join();
                long end = position + 22 + p.payload.length;
                boolean hitByFlip = flips.stream().anyMatch(f -> f.position >= position && f.position < end);
                if (hitByFlip) continue;
                assertThat(mustKeepAcknowledged).as("acknowledged record at %d (%d bytes) lost under %s after %s", position, p.payload.length,
                    options.durability(), crash).isFalse();
            }

            List<Path> segments = FaultyChannelFactory.segmentFiles(dir);
            Path last = segments.get(segments.size() - 1).toAbsolutePath();
            for (RecoveryReport.TruncatedTail tail : report.truncatedTails()) {
                assertThat(tail.file()).as("tails are cut off the last segment only").isEqualTo(last);
                stats.tails.incrementAndGet();
            }
            for (Flip f : flips) {
                boolean reported = report.corruptions().stream().anyMatch(c -> c.file().equals(f.file) && c.offset() <= f.offset && f.offset < c.offset() + c.length());
                assertThat(reported).as("flipped bit at %s offset %d reported; report: %s", f.file, f.offset, report.corruptions()).isTrue();
                assertThat(report.quarantinedFiles()).as("quarantined copy of %s", f.file).anyMatch(q -> q.getFileName().toString().startsWith(f.file.getFileName() + ".corrupt"));
            }
            for (Corruption c : report.corruptions()) {
                boolean explained = flips.stream().anyMatch(f -> c.file().equals(f.file) && c.offset() <= f.offset && f.offset < c.offset() + c.length());
                assertThat(explained).as("corruption reported where no bit was flipped: %s (tails: %s)", c, report.truncatedTails()).isTrue();
                stats.corruptions.incrementAndGet();
            }
        }

        SegmentedLog appendAndReopenCleanly(SegmentedLog log, RecoveryReport firstReport) throws IOException {
            long end = log.endPosition();
            List<Long> added = new ArrayList<>();
            for (int i = 0; i < 3; i++) added.add(plan(log, 50, i).future.join());
            assertThat(added.get(0)).isGreaterThanOrEqualTo(end);
            log.close();
            SegmentedLog again = SegmentedLog.open(dir, options);
            assertThat(again.recoveryReport().truncatedTails()).as("a clean close leaves no tail").isEmpty();
            assertThat(again.recoveryReport().corruptions()).isEqualTo(firstReport.corruptions());
            List<Long> positions = new ArrayList<>();
            again.replay(end, r -> positions.add(r.position()));
            assertThat(positions).containsExactlyElementsOf(added);
            return again;
        }
    }

    /**
     * Where the cases' files go: a RAM file system if there is one. The files stand for the page
     * cache only (the disk is the model in memory), so nothing is lost by not writing them to a disk.
     */
    private static Path filesFor(Path tempDir) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) return Files.createTempDirectory(shm, "baton-powerloss-");
        return tempDir;
    }

    private static void fail(String format, Object... args) {
        throw new AssertionError(String.format(format, args));
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // the JUnit temp dir is removed at the end anyway
        }
    }

    private static final class Stats {
        final AtomicLong cases = new AtomicLong();
        final AtomicLong midOperation = new AtomicLong();
        final AtomicLong crashInRecovery = new AtomicLong();
        final AtomicLong diskFull = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong tails = new AtomicLong();
        final AtomicLong flips = new AtomicLong();
        final AtomicLong corruptions = new AtomicLong();

        @Override
        public String toString() {
            return cases + " passed; " + midOperation + " crashed mid-operation, " + crashInRecovery + " again during recovery, "
                + diskFull + " with a full disk; " + acknowledged + " acknowledged appends checked, " + tails + " torn tails cut, "
                + flips + " bits flipped, " + corruptions + " corruptions reported";
        }
    }
}
