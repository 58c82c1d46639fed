package io.baton.store;

import static io.baton.store.SegmentedLogTest.bytes;
import static io.baton.store.SegmentedLogTest.payloads;
import static io.baton.store.SegmentedLogTest.replayAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.store.FaultyChannelFactory.Loss;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each durability mode promises, checked against the disk model. */
class DurabilityTest {

    @TempDir
    Path dir;

    private final FaultyChannelFactory disk = new FaultyChannelFactory(7);

    private SegmentedLog open(Durability durability) throws IOException {
        return SegmentedLog.open(dir, LogOptions.defaults().withDurability(durability).withChannels(disk));
    }

    private List<String> afterPowerLoss(Durability durability) throws IOException {
        disk.powerLoss(Loss.DROP_UNSYNCED);
        disk.reboot();
        try (SegmentedLog log = open(durability)) {
            return payloads(replayAll(log));
        }
    }

    @Test
    void fsync_completesOnlyAfterTheFsyncThatCoversTheRecord() throws IOException {
        SegmentedLog log = open(Durability.FSYNC);
        Path file = log.segments().get(0).path();
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            // Runs on the writer thread at completion: the record must already be on the disk model.
            checks.add(log.append(1, bytes("r" + i)).thenAccept(position ->
                assertThat((long) disk.durableBytes(file).length).isGreaterThanOrEqualTo(32 + position + 22 + 2)));
        }
        checks.forEach(CompletableFuture::join);
        assertThat(afterPowerLoss(Durability.FSYNC)).hasSize(50);
        log.close();
    }

    @Test
    void osBuffered_completesWithoutFsync_losesUnsyncedRecordsOnPowerLoss_butNotOnAProcessCrash() throws IOException {
        SegmentedLog log = open(Durability.OS_BUFFERED);
        long forcesAtOpen = disk.forces();
        for (int i = 0; i < 20; i++) log.append(1, bytes("r" + i)).join();
        assertThat(disk.forces()).isEqualTo(forcesAtOpen);
        assertThat(afterPowerLoss(Durability.OS_BUFFERED)).isEmpty();            // the mode's documented risk
        log.close();

        try (SegmentedLog again = open(Durability.OS_BUFFERED)) {
            for (int i = 0; i < 20; i++) again.append(1, bytes("s" + i)).join();
            disk.processCrash();
        }
        disk.reboot();
        try (SegmentedLog after = open(Durability.OS_BUFFERED)) {
            assertThat(replayAll(after)).hasSize(20);
        }
    }

    @Test
    void osBuffered_fsyncsOnClose() throws IOException {
        try (SegmentedLog log = open(Durability.OS_BUFFERED)) {
            for (int i = 0; i < 20; i++) log.append(1, bytes("r" + i)).join();
        }
        assertThat(afterPowerLoss(Durability.OS_BUFFERED)).hasSize(20);
    }

    @Test
    void fsyncEveryInterval_completesBeforeTheFsync_andFsyncsWithinTheInterval() throws IOException {
        try (SegmentedLog log = open(Durability.fsyncEvery(Duration.ofMillis(50)))) {
            long forcesAtOpen = disk.forces();
            long start = System.nanoTime();
            log.append(1, bytes("first")).join();
            Path file = log.segments().get(0).path();
            if (System.nanoTime() - start < Duration.ofMillis(40).toNanos()) {
                assertThat(disk.forces()).isEqualTo(forcesAtOpen);                 // completed before any fsync
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> disk.durableBytes(file).length == 32 + 22 + 5);
            assertThat(disk.forces()).isEqualTo(forcesAtOpen + 1);
        }
    }

    @Test
    void fsyncEveryInterval_anIdleLogDoesNotFsync() throws Exception {
        try (SegmentedLog log = open(Durability.fsyncEvery(Duration.ofMillis(5)))) {
            log.append(1, bytes("x")).join();
            Path file = log.segments().get(0).path();
            await().atMost(Duration.ofSeconds(2)).until(() -> disk.durableBytes(file).length == 32 + 22 + 1);
            long forces = disk.forces();
            Thread.sleep(50);
            assertThat(disk.forces()).isEqualTo(forces);
        }
    }

    @Test
    void roll_fsyncsTheSealedSegmentAndTheDirectory_inEveryMode() throws IOException {
        for (Durability durability : List.of(Durability.OS_BUFFERED, Durability.fsyncEvery(Duration.ofHours(1)), Durability.FSYNC)) {
            Path sub = dir.resolve(durability.getClass().getSimpleName());
            long directoryForces = disk.directoryForces();
            try (SegmentedLog log = SegmentedLog.open(sub, LogOptions.defaults().withDurability(durability).withChannels(disk).withSegmentBytes(32 + 2 * 23))) {
                assertThat(disk.directoryForces()).isEqualTo(directoryForces + 2);  // the new directory in its parent, the first segment
                directoryForces = disk.directoryForces();
                log.append(1, bytes("a")).join();
                log.append(1, bytes("b")).join();
                Path sealed = log.segments().get(0).path();
                log.append(1, bytes("c")).join();                                  // rolls
                assertThat(log.segments()).hasSize(2);
                assertThat(disk.durableBytes(sealed)).hasSize(32 + 2 * 23);
                assertThat(disk.directoryForces()).isEqualTo(directoryForces + 1);
                assertThat(disk.durableBytes(log.segments().get(1).path())).hasSizeGreaterThanOrEqualTo(32);  // header, before any record
            }
        }
    }
}
