package io.baton.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.PayloadTooLargeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentedLogTest {

    @TempDir
    Path dir;

    static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    static List<LogRecord> replayAll(SegmentedLog log) throws IOException {
        return replayFrom(log, 0);
    }

    static List<LogRecord> replayFrom(SegmentedLog log, long from) throws IOException {
        List<LogRecord> records = new ArrayList<>();
        log.replay(from, records::add);
        return records;
    }

    static List<String> payloads(List<LogRecord> records) {
        return records.stream().map(r -> new String(r.payload(), UTF_8)).toList();
    }

    static LogOptions small(long segmentBytes) {
        return LogOptions.defaults().withSegmentBytes(segmentBytes);
    }

    @Test
    void append_thenReplay_returnsEveryRecordByteForByteInOrder() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults())) {
            long before = System.currentTimeMillis();
            long p0 = log.append(7, bytes("alpha")).join();
            long p1 = log.append(8, new byte[0]).join();
            long p2 = log.append(255, bytes("gamma")).join();

            List<LogRecord> records = replayAll(log);
            assertThat(records).extracting(LogRecord::position).containsExactly(p0, p1, p2);
            assertThat(records).extracting(LogRecord::type).containsExactly(7, 8, 255);
            assertThat(records.get(0).payload()).isEqualTo(bytes("alpha"));
            assertThat(records.get(1).payload()).isEmpty();
            assertThat(records.get(2).payload()).isEqualTo(bytes("gamma"));
            assertThat(records).allSatisfy(r -> assertThat(r.timestamp()).isBetween(before, System.currentTimeMillis()));
        }
    }

    @Test
    void positions_startAtZero_andGrowByTheRecordsBytes() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults())) {
            assertThat(log.endPosition()).isZero();
            assertThat(log.append(1, bytes("abc")).join()).isZero();
            assertThat(log.append(1, bytes("de")).join()).isEqualTo(22 + 3);
            assertThat(log.endPosition()).isEqualTo(22 + 3 + 22 + 2);
            assertThat(log.startPosition()).isZero();
        }
    }

    @Test
    void append_pastSegmentBytes_rollsToASegmentNamedByItsBasePosition() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, small(32 + 3 * (22 + 10)))) {
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < 10; i++) positions.add(log.append(1, bytes(String.format("record-%03d", i))).join());

            List<SegmentInfo> segments = log.segments();
            assertThat(segments).hasSize(4);  // 3 + 3 + 3 + 1
            for (int k = 0; k < segments.size(); k++) {
                SegmentInfo s = segments.get(k);
                assertThat(s.path().getFileName().toString()).isEqualTo(String.format("%020d.log", s.basePosition()));
                assertThat(s.active()).isEqualTo(k == segments.size() - 1);
                if (k > 0) assertThat(s.basePosition()).isEqualTo(segments.get(k - 1).endPosition());
                assertThat(Files.size(s.path())).isEqualTo(s.sizeBytes());
                assertThat(s.firstTimestamp()).isPositive().isLessThanOrEqualTo(s.lastTimestamp());
            }
            assertThat(segments.get(1).basePosition()).isEqualTo(positions.get(3));
            assertThat(segments.get(0).sizeBytes()).isEqualTo(32 + 3 * 32);
            assertThat(payloads(replayAll(log))).hasSize(10).first().isEqualTo("record-000");
        }
    }

    @Test
    void aRecordLargerThanASegment_getsASegmentOfItsOwn() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, small(100))) {
            log.append(1, bytes("small")).join();
            long big = log.append(2, new byte[500]).join();
            log.append(3, bytes("after")).join();
            assertThat(log.segments()).hasSize(3);
            assertThat(log.segments().get(1).basePosition()).isEqualTo(big);
            assertThat(replayAll(log)).extracting(LogRecord::type).containsExactly(1, 2, 3);
        }
    }

    @Test
    void reopen_afterClose_keepsEveryRecord_continuesPositions_andReportsNothing() throws IOException {
        List<Long> positions = new ArrayList<>();
        try (SegmentedLog log = SegmentedLog.open(dir, small(200))) {
            for (int i = 0; i < 20; i++) positions.add(log.append(i, bytes("r" + i)).join());
        }
        try (SegmentedLog log = SegmentedLog.open(dir, small(200))) {
            assertThat(log.recoveryReport().clean()).isTrue();
            assertThat(log.recoveryReport().quarantinedFiles()).isEmpty();
            assertThat(replayAll(log)).extracting(LogRecord::position).containsExactlyElementsOf(positions);
            long next = log.append(99, bytes("next")).join();
            assertThat(next).isEqualTo(positions.get(19) + 22 + 3);
            assertThat(payloads(replayAll(log))).last().isEqualTo("next");
        }
    }

    @Test
    void replay_fromTheMiddleOfARecord_startsAtTheNextRecord() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, small(300))) {
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < 30; i++) positions.add(log.append(1, bytes("payload-" + i)).join());
            for (int i = 0; i < 30; i++) {
                long p = positions.get(i);
                assertThat(replayFrom(log, p)).extracting(LogRecord::position).containsExactlyElementsOf(positions.subList(i, 30));
                assertThat(replayFrom(log, p + 1)).extracting(LogRecord::position).containsExactlyElementsOf(positions.subList(i + 1, 30));
            }
            assertThat(replayFrom(log, log.endPosition())).isEmpty();
            assertThat(replayFrom(log, Long.MAX_VALUE)).isEmpty();
            assertThat(replayFrom(log, -5)).hasSize(30);
        }
    }

    @Test
    void replay_fromAnyPosition_inLargeSegments_usesTheSparseIndexCorrectly() throws IOException {
        Random random = new Random(1);
        try (SegmentedLog log = SegmentedLog.open(dir, small(1 << 20))) {
            List<Long> positions = new ArrayList<>();
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 3000; i++) futures.add(log.append(1, new byte[random.nextInt(1000)]));
            futures.forEach(f -> positions.add(f.join()));
            assertThat(log.segments().size()).isGreaterThan(1);
            for (int trial = 0; trial < 200; trial++) {
                long from = (long) (random.nextDouble() * log.endPosition());
                int first = 0;
                while (first < positions.size() && positions.get(first) < from) first++;
                List<LogRecord> records = replayFrom(log, from);
                assertThat(records).hasSize(positions.size() - first);
                if (!records.isEmpty()) assertThat(records.get(0).position()).isEqualTo(positions.get(first));
            }
        }
    }

    @Test
    void concurrentAppends_keepEachThreadsOrder_andLoseNothing() throws Exception {
        int threads = 8, each = 500;
        try (SegmentedLog log = SegmentedLog.open(dir, small(4096))) {
            List<Thread> appenders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                appenders.add(Thread.ofVirtual().start(() -> {
                    List<CompletableFuture<Long>> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) mine.add(log.append(id, bytes(id + ":" + i)));
                    long last = -1;
                    for (CompletableFuture<Long> f : mine) {
                        long p = f.join();
                        assertThat(p).isGreaterThan(last);
                        last = p;
                    }
                }));
            }
            for (Thread t : appenders) t.join();
            List<LogRecord> records = replayAll(log);
            assertThat(records).hasSize(threads * each);
            int[] next = new int[threads];
            for (LogRecord r : records) {
                String[] parts = new String(r.payload(), UTF_8).split(":");
                int t = Integer.parseInt(parts[0]);
                assertThat(r.type()).isEqualTo(t);
                assertThat(Integer.parseInt(parts[1])).isEqualTo(next[t]++);
            }
        }
    }

    @Test
    void deleteSegmentsBefore_deletesOnlySealedSegmentsWhollyBeforeThePosition() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, small(32 + 2 * 32))) {
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < 7; i++) positions.add(log.append(1, bytes(String.format("rec-%06d", i))).join());
            List<SegmentInfo> before = log.segments();
            assertThat(before).hasSize(4);  // [0,1] [2,3] [4,5] [6]

            assertThat(log.deleteSegmentsBefore(positions.get(1))).isZero();        // record 1 is still needed
            assertThat(log.deleteSegmentsBefore(positions.get(3))).isEqualTo(before.get(0).sizeBytes());
            assertThat(Files.exists(before.get(0).path())).isFalse();
            assertThat(log.startPosition()).isEqualTo(positions.get(2));
            assertThat(replayAll(log)).extracting(LogRecord::position).containsExactlyElementsOf(positions.subList(2, 7));

            long freed = log.deleteSegmentsBefore(Long.MAX_VALUE);                 // never the active segment
            assertThat(freed).isEqualTo(before.get(1).sizeBytes() + before.get(2).sizeBytes());
            assertThat(log.segments()).hasSize(1).allSatisfy(s -> assertThat(s.active()).isTrue());
            assertThat(payloads(replayAll(log))).containsExactly("rec-000006");
        }
        try (SegmentedLog log = SegmentedLog.open(dir, small(32 + 2 * 32))) {
            assertThat(log.recoveryReport().clean()).isTrue();
            assertThat(payloads(replayAll(log))).containsExactly("rec-000006");
            assertThat(log.append(1, bytes("more")).join()).isGreaterThan(log.startPosition());
        }
    }

    @Test
    void deleteSegmentsOlderThan_deletesSealedSegmentsWhoseNewestRecordIsOlder_neverTheActiveOne() throws Exception {
        try (SegmentedLog log = SegmentedLog.open(dir, small(32 + 2 * 32))) {
            for (int i = 0; i < 4; i++) log.append(1, bytes(String.format("old-%06d", i))).join();  // two full segments
            Thread.sleep(5);
            long cutoff = System.currentTimeMillis();
            Thread.sleep(5);
            for (int i = 0; i < 3; i++) log.append(1, bytes(String.format("new-%06d", i))).join();
            assertThat(log.segments()).hasSize(4);

            long freed = log.deleteSegmentsOlderThan(cutoff);
            assertThat(freed).isEqualTo(2L * (32 + 2 * 32));
            assertThat(payloads(replayAll(log))).containsExactly("new-000000", "new-000001", "new-000002");

            assertThat(log.deleteSegmentsOlderThan(Long.MAX_VALUE)).isPositive();
            assertThat(log.segments()).hasSize(1);
            assertThat(payloads(replayAll(log))).containsExactly("new-000002");
        }
    }

    @Test
    void positionAt_findsTheFirstRecordAppendedAtOrAfterATime() throws Exception {
        try (SegmentedLog log = SegmentedLog.open(dir, small(256))) {
            List<Long> positions = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                positions.add(log.append(1, bytes("t" + i)).join());
                if (i % 10 == 9) Thread.sleep(3);
            }
            replayAll(log).forEach(r -> times.add(r.timestamp()));
            assertThat(times).isSorted();
            for (int i = 0; i < 40; i++) {
                long t = times.get(i);
                int first = times.indexOf(t);
                assertThat(log.positionAt(t)).isEqualTo(positions.get(first));
            }
            assertThat(log.positionAt(0)).isZero();
            assertThat(log.positionAt(times.get(39) + 1)).isEqualTo(log.endPosition());
        }
    }

    @Test
    void append_afterClose_failsWithLogClosedException() throws IOException {
        SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults());
        log.append(1, bytes("x")).join();
        log.close();
        log.close();  // idempotent
        assertThatThrownBy(() -> log.append(1, bytes("y")).join()).isInstanceOf(CompletionException.class).hasCauseInstanceOf(LogClosedException.class);
        assertThatThrownBy(() -> log.replay(0, r -> {})).isInstanceOf(LogClosedException.class);
        assertThatThrownBy(() -> log.deleteSegmentsBefore(10)).isInstanceOf(LogClosedException.class);
    }

    @Test
    void close_completesEveryAppendMadeBeforeIt() throws IOException {
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withDurability(Durability.OS_BUFFERED))) {
            for (int i = 0; i < 1000; i++) futures.add(log.append(1, bytes("r" + i)));
        }
        assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults())) {
            assertThat(replayAll(log)).hasSize(1000);
        }
    }

    @Test
    void close_fromACallbackOnTheWriterThread_doesNotDeadlock() throws Exception {
        SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults());
        CompletableFuture<Void> closedInCallback = log.append(1, bytes("x")).thenAccept(p -> log.close());
        closedInCallback.get(5, TimeUnit.SECONDS);
        log.close();
        assertThatThrownBy(() -> log.append(1, bytes("y")).join()).hasCauseInstanceOf(LogClosedException.class);
    }

    @Test
    void callbacksThatThrowOrInterruptTheWriter_doNotBreakTheLog() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, small(128))) {
            for (int i = 0; i < 20; i++) {
                log.append(1, bytes("r" + i)).thenAccept(p -> {
                    // (a callback attached after completion runs on this test thread instead: leave that alone)
                    if (Thread.currentThread().getName().startsWith("baton-log-writer")) Thread.currentThread().interrupt();
                });
                log.append(1, bytes("s" + i)).thenAccept(p -> { throw new IllegalStateException("a careless callback"); });
            }
            log.append(1, bytes("last")).join();
            assertThat(replayAll(log)).hasSize(41);
            assertThat(log.segments().size()).isGreaterThan(5);  // rolls happened after the interrupts too
        }
        try (SegmentedLog log = SegmentedLog.open(dir, small(128))) {
            assertThat(log.recoveryReport().clean()).isTrue();
            assertThat(replayAll(log)).hasSize(41);
        }
    }

    @Test
    void interruptsFromOutside_mayFailAnAppend_butTheLogRecoversAndLosesNothingAcknowledged() throws Exception {
        try (SegmentedLog log = SegmentedLog.open(dir, small(256))) {
            Thread writer = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("baton-log-writer " + dir.toAbsolutePath())).findFirst().orElseThrow();
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                if (i % 3 == 0) writer.interrupt();
                try {
                    log.append(1, bytes("r" + i)).join();
                    acknowledged.add("r" + i);
                } catch (CompletionException e) {
                    assertThat(e).hasCauseInstanceOf(StoreException.class);
                }
            }
            log.append(1, bytes("last")).join();
            acknowledged.add("last");
            assertThat(payloads(replayAll(log))).isEqualTo(acknowledged);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, small(256))) {
            assertThat(log.recoveryReport().corruptions()).isEmpty();
            assertThat(payloads(replayAll(log))).last().isEqualTo("last");
        }
    }

    @Test
    void append_badArguments_failClearly() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withMaxRecordBytes(100))) {
            assertThatThrownBy(() -> log.append(256, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.append(-1, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.append(1, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> log.append(1, new byte[101]).join()).hasCauseInstanceOf(PayloadTooLargeException.class);
            assertThat(log.append(1, new byte[100]).join()).isZero();
        }
        assertThatThrownBy(() -> LogOptions.defaults().withSegmentBytes(10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogOptions.defaults().withMaxRecordBytes(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void replay_concurrentWithAppendsAndDeletes_seesOnlyWholeRecords() throws Exception {
        try (SegmentedLog log = SegmentedLog.open(dir, small(2048))) {
            Thread writer = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 5000; i++) log.append(1, bytes(String.format("%08d", i)));
                log.append(1, bytes("last")).join();
            });
            Thread cleaner = Thread.ofVirtual().start(() -> {
                try {
                    while (writer.isAlive()) log.deleteSegmentsBefore(log.endPosition() / 2);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            while (writer.isAlive()) {
                long previous = -1;
                for (LogRecord r : replayAll(log)) {
                    assertThat(r.position()).isGreaterThan(previous);
                    previous = r.position();
                    assertThat(r.payload().length == 8 || new String(r.payload(), UTF_8).equals("last")).isTrue();
                }
            }
            cleaner.join();
        }
    }

    @Test
    void options_builderAndWithers_agree() {
        LogOptions built = LogOptions.builder().durability(Durability.OS_BUFFERED).segmentBytes(1 << 20).maxRecordBytes(1000).build();
        assertThat(built).isEqualTo(LogOptions.defaults().withDurability(Durability.OS_BUFFERED).withSegmentBytes(1 << 20).withMaxRecordBytes(1000));
        assertThat(LogOptions.defaults().segmentBytes()).isEqualTo(64L << 20);
        assertThat(LogOptions.defaults().maxRecordBytes()).isEqualTo(16 << 20);
        assertThat(LogOptions.defaults().durability()).isEqualTo(Durability.FSYNC);
    }
}
