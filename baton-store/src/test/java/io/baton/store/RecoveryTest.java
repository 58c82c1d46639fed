package io.baton.store;

import static io.baton.store.SegmentedLogTest.bytes;
import static io.baton.store.SegmentedLogTest.payloads;
import static io.baton.store.SegmentedLogTest.replayAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.store.RecoveryReport.Corruption;
import io.baton.store.RecoveryReport.TruncatedTail;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {

    @TempDir
    Path dir;

    /** Ten records of 32 bytes (22 + 10), three per 128-byte segment: segments hold records 0-2, 3-5, 6-8, 9. */
    private List<Long> tenRecords() throws IOException {
        List<Long> positions = new ArrayList<>();
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            for (int i = 0; i < 10; i++) positions.add(log.append(1, bytes(String.format("record-%03d", i))).join());
        }
        return positions;
    }

    private static LogOptions options() {
        return LogOptions.defaults().withSegmentBytes(32 + 3 * 32);
    }

    private List<Path> segments() throws IOException {
        return FaultyChannelFactory.segmentFiles(dir);
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x10);
        }
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    @Test
    void tornTail_isTruncatedToTheLastWholeRecord_andReportedAsATail() throws IOException {
        tenRecords();
        Path last = segments().get(3);
        long whole = Files.size(last);
        byte[] next = Arrays.copyOf(Files.readAllBytes(last), (int) whole);  // a copy of record 9 ...
        appendBytes(last, Arrays.copyOfRange(next, 32, 32 + 17));          // ... torn after 17 bytes

        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            RecoveryReport report = log.recoveryReport();
            assertThat(report.truncatedTails()).containsExactly(new TruncatedTail(last, whole, 17));
            assertThat(report.corruptions()).isEmpty();
            assertThat(report.quarantinedFiles()).isEmpty();
            assertThat(Files.size(last)).isEqualTo(whole);
            assertThat(replayAll(log)).hasSize(10);
            assertThat(log.append(1, bytes("after-tail")).join()).isEqualTo(log.segments().get(3).basePosition() + 32);
        }
    }

    @Test
    void tornTail_ofZeros_ofAWholeRecordLength_isATailToo() throws IOException {
        tenRecords();
        Path last = segments().get(3);
        long whole = Files.size(last);
        appendBytes(last, new byte[64]);
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().truncatedTails()).containsExactly(new TruncatedTail(last, whole, 64));
            assertThat(log.recoveryReport().corruptions()).isEmpty();
            assertThat(replayAll(log)).hasSize(10);
        }
    }

    @Test
    void flippedBit_inASealedSegment_isReportedWithFileAndOffset_quarantined_andTheRestIsServed() throws IOException {
        List<Long> positions = tenRecords();
        Path sealed = segments().get(1);              // records 3, 4, 5
        long recordFourOffset = 32 + 32;
        flip(sealed, recordFourOffset + 25);          // a payload byte of record 4
        byte[] damaged = Files.readAllBytes(sealed);

        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            RecoveryReport report = log.recoveryReport();
            assertThat(report.truncatedTails()).isEmpty();
            assertThat(report.corruptions()).hasSize(1);
            Corruption c = report.corruptions().get(0);
            assertThat(c.file()).isEqualTo(sealed);
            assertThat(c.offset()).isEqualTo(recordFourOffset);
            assertThat(c.length()).isEqualTo(32);
            assertThat(c.reason()).contains("payload checksum");
            Path copy = sealed.resolveSibling(sealed.getFileName() + ".corrupt");
            assertThat(report.quarantinedFiles()).containsExactly(copy);
            assertThat(Files.readAllBytes(copy)).isEqualTo(damaged);
            assertThat(Files.readAllBytes(sealed)).isEqualTo(damaged);   // never changed, never deleted

            List<Long> expected = new ArrayList<>(positions);
            expected.remove(4);
            assertThat(replayAll(log)).extracting(LogRecord::position).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void damagedLength_isCaughtByTheHeaderChecksum_andReadingResynchronisesOnTheNextRecord() throws IOException {
        List<Long> positions = tenRecords();
        Path sealed = segments().get(0);              // records 0, 1, 2
        flip(sealed, 32 + 2);                         // the length field of record 0
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            Corruption c = log.recoveryReport().corruptions().get(0);
            assertThat(c.offset()).isEqualTo(32);
            assertThat(c.length()).isEqualTo(32);
            assertThat(c.reason()).contains("header checksum");
            assertThat(replayAll(log)).extracting(LogRecord::position).containsExactlyElementsOf(positions.subList(1, 10));
        }
    }

    @Test
    void damageInTheLastSegment_followedByAValidRecord_isCorruption_notATornTail() throws IOException {
        List<Long> positions = new ArrayList<>();
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults())) {
            for (int i = 0; i < 5; i++) positions.add(log.append(1, bytes("rec-" + i)).join());
        }
        Path only = segments().get(0);
        flip(only, positions.get(2) + 32 + 22);       // payload of record 2
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults())) {
            RecoveryReport report = log.recoveryReport();
            assertThat(report.truncatedTails()).isEmpty();
            assertThat(report.corruptions()).extracting(Corruption::file, Corruption::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(only, positions.get(2) + 32));
            assertThat(payloads(replayAll(log))).containsExactly("rec-0", "rec-1", "rec-3", "rec-4");
            log.append(1, bytes("rec-5")).join();     // the active segment keeps taking appends
            assertThat(payloads(replayAll(log))).containsExactly("rec-0", "rec-1", "rec-3", "rec-4", "rec-5");
        }
    }

    @Test
    void damagedLastRecord_ofASealedSegment_isCorruption_toTheEndOfTheFile() throws IOException {
        tenRecords();
        Path sealed = segments().get(2);              // records 6, 7, 8
        flip(sealed, 32 + 2 * 32 + 30);
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            RecoveryReport report = log.recoveryReport();
            assertThat(report.truncatedTails()).isEmpty();
            assertThat(report.corruptions()).singleElement().satisfies(c -> {
                assertThat(c.file()).isEqualTo(sealed);
                assertThat(c.offset()).isEqualTo(32 + 2 * 32);
                assertThat(c.length()).isEqualTo(32);
                assertThat(c.reason()).contains("sealed segment");
            });
            assertThat(replayAll(log)).hasSize(9);
            assertThat(Files.size(sealed)).isEqualTo(128);
        }
    }

    @Test
    void badSegmentHeader_inASealedSegment_isCorruption_andItsRecordsAreStillServed() throws IOException {
        tenRecords();
        Path sealed = segments().get(1);
        flip(sealed, 13);                              // base position in the header
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().corruptions()).singleElement().satisfies(c -> {
                assertThat(c.file()).isEqualTo(sealed);
                assertThat(c.offset()).isZero();
                assertThat(c.length()).isEqualTo(32);
                assertThat(c.reason()).contains("segment header");
            });
            assertThat(replayAll(log)).hasSize(10);
        }
    }

    @Test
    void tornSegmentHeader_ofTheLastSegment_isWrittenAgain() throws IOException {
        tenRecords();
        Path last = segments().get(3);
        long base = Long.parseLong(last.getFileName().toString().substring(0, 20));
        Files.write(last, Arrays.copyOf(Files.readAllBytes(last), 11));   // a crash while the segment was created
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().truncatedTails()).containsExactly(new TruncatedTail(last, 0, 11));
            assertThat(log.recoveryReport().corruptions()).isEmpty();
            assertThat(replayAll(log)).hasSize(9);
            assertThat(log.append(1, bytes("record-new")).join()).isEqualTo(base);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().clean()).isTrue();
            assertThat(payloads(replayAll(log))).last().isEqualTo("record-new");
        }
    }

    @Test
    void emptyLastSegmentFile_isWrittenAgain() throws IOException {
        tenRecords();
        Path last = segments().get(3);
        Files.write(last, new byte[0]);
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().truncatedTails()).containsExactly(new TruncatedTail(last, 0, 0));
            assertThat(replayAll(log)).hasSize(9);
        }
    }

    @Test
    void reopening_reportsTheSameCorruptionAgain_andReusesTheQuarantineCopy() throws IOException {
        tenRecords();
        Path sealed = segments().get(1);
        flip(sealed, 40);
        List<Corruption> first;
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            first = log.recoveryReport().corruptions();
        }
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().corruptions()).isEqualTo(first);
            assertThat(log.recoveryReport().quarantinedFiles()).containsExactly(sealed.resolveSibling(sealed.getFileName() + ".corrupt"));
        }
        flip(sealed, 100);                             // new damage: a second, different copy
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().corruptions()).hasSize(2);
            assertThat(log.recoveryReport().quarantinedFiles()).containsExactly(sealed.resolveSibling(sealed.getFileName() + ".corrupt.1"));
        }
    }

    @Test
    void aMissingSegmentInTheMiddle_isReportedAsAGap() throws IOException {
        List<Long> positions = tenRecords();
        Path middle = segments().get(1);
        Files.delete(middle);
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().corruptions()).singleElement().satisfies(c -> {
                assertThat(c.file()).isEqualTo(segments().get(1));
                assertThat(c.reason()).contains("positions " + positions.get(3) + ".." + (positions.get(6) - 1) + " are missing");
            });
            assertThat(replayAll(log)).hasSize(7);
        }
    }

    @Test
    void filesWrittenByANewerFormat_areRefused_notTruncated() throws IOException {
        tenRecords();
        Path last = segments().get(3);
        byte[] content = Files.readAllBytes(last);
        content[32] = 2;                                // record version 2, header checksum fixed up
        int crc = LogRecordFormat.crc(content, 32, 18);
        content[32 + 18] = (byte) (crc >>> 24);
        content[32 + 19] = (byte) (crc >>> 16);
        content[32 + 20] = (byte) (crc >>> 8);
        content[32 + 21] = (byte) crc;
        Files.write(last, content);
        assertThatThrownBy(() -> SegmentedLog.open(dir, options())).isInstanceOf(StoreException.class).hasMessageContaining("version 2");
        assertThat(Files.readAllBytes(last)).isEqualTo(content);
    }

    @Test
    void recordDamagedAfterOpen_failsReplayWithFileAndOffset() throws IOException {
        tenRecords();
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            Path sealed = segments().get(0);
            flip(sealed, 32 + 32 + 25);
            assertThatThrownBy(() -> replayAll(log)).isInstanceOfSatisfying(LogCorruptionException.class, e -> {
                assertThat(e.file()).isEqualTo(sealed);
                assertThat(e.offset()).isEqualTo(64);
            });
        }
    }

    @Test
    void unrelatedFilesInTheDirectory_areLeftAlone() throws IOException {
        tenRecords();
        Files.writeString(dir.resolve("notes.txt"), "hello");
        Files.writeString(dir.resolve("123.log"), "not a segment");
        try (SegmentedLog log = SegmentedLog.open(dir, options())) {
            assertThat(log.recoveryReport().clean()).isTrue();
            assertThat(replayAll(log)).hasSize(10);
        }
        assertThat(Files.readString(dir.resolve("123.log"))).isEqualTo("not a segment");
    }
}
