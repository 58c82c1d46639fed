package io.baton.store;

import static io.baton.store.SegmentedLogTest.bytes;
import static io.baton.store.SegmentedLogTest.payloads;
import static io.baton.store.SegmentedLogTest.replayAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskFullTest {

    @TempDir
    Path dir;

    private final FaultyChannelFactory disk = new FaultyChannelFactory(42);

    private LogOptions options(long segmentBytes) {
        return LogOptions.defaults().withSegmentBytes(segmentBytes).withChannels(disk);
    }

    private static String name(int i) {
        return String.format("message-%04d", i);
    }

    @Test
    void diskFullOnWrite_failsTheAppendsWithStoreFullException_cutsThePartialWrite_andLaterAppendsSucceed() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, options(1 << 20))) {
            for (int i = 0; i < 10; i++) log.append(1, bytes(name(i))).join();
            Path active = log.segments().get(0).path();
            long sizeBefore = Files.size(active);

            disk.diskFullOnWrite(true);
            List<CompletableFuture<Long>> failed = new ArrayList<>();
            for (int i = 10; i < 20; i++) failed.add(log.append(1, bytes(name(i))));
            for (CompletableFuture<Long> f : failed) {
                assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).cause()
                    .isInstanceOf(StoreFullException.class).hasMessageContaining("disk full").hasMessageContaining(active.toString());
            }
            assertThat(Files.size(active)).isEqualTo(sizeBefore);                 // the partial write was cut off
            assertThat(disk.durableBytes(active)).isEqualTo(Files.readAllBytes(active));
            assertThat(payloads(replayAll(log))).hasSize(10);

            disk.diskFullOnWrite(false);
            long next = log.append(1, bytes(name(20))).join();
            assertThat(next).isEqualTo(10 * (22 + 12));                           // no hole where the failed ones were
            assertThat(payloads(replayAll(log))).hasSize(11).last().isEqualTo(name(20));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, options(1 << 20))) {
            assertThat(log.recoveryReport().clean()).isTrue();
            assertThat(payloads(replayAll(log))).hasSize(11).doesNotContain(name(10), name(19));
        }
    }

    @Test
    void diskFullOnFsync_failsTheBatch_andNothingOfItIsServed() throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, options(1 << 20))) {
            for (int i = 0; i < 5; i++) log.append(1, bytes(name(i))).join();
            disk.diskFullOnForce(true);
            assertThatThrownBy(() -> log.append(1, bytes(name(5))).join()).cause().isInstanceOf(StoreFullException.class);
            assertThat(payloads(replayAll(log))).hasSize(5);
            disk.diskFullOnForce(false);
            log.append(1, bytes(name(6))).join();
            assertThat(payloads(replayAll(log))).containsExactly(name(0), name(1), name(2), name(3), name(4), name(6));
        }
        disk.powerLoss(FaultyChannelFactory.Loss.DROP_UNSYNCED);                 // what was acknowledged is on the disk
        disk.reboot();
        try (SegmentedLog log = SegmentedLog.open(dir, options(1 << 20))) {
            assertThat(payloads(replayAll(log))).containsExactly(name(0), name(1), name(2), name(3), name(4), name(6));
        }
    }

    @Test
    void diskFullWhileRolling_failsTheAppend_keepsTheActiveSegment_andRollsOnceSpaceIsBack() throws IOException {
        long segmentBytes = 32 + 2 * (22 + 12);
        try (SegmentedLog log = SegmentedLog.open(dir, options(segmentBytes))) {
            log.append(1, bytes(name(0))).join();
            log.append(1, bytes(name(1))).join();
            assertThat(log.segments()).hasSize(1);
            disk.diskFullOnWrite(true);                                             // the new segment's header cannot be written
            assertThatThrownBy(() -> log.append(1, bytes(name(2))).join()).cause().isInstanceOf(StoreFullException.class);
            assertThat(log.segments()).hasSize(1);
            assertThat(FaultyChannelFactory.segmentFiles(dir)).hasSize(1);         // no half-made segment left behind
            disk.diskFullOnWrite(false);
            log.append(1, bytes(name(3))).join();
            assertThat(log.segments()).hasSize(2);
            assertThat(payloads(replayAll(log))).containsExactly(name(0), name(1), name(3));
        }
    }

    @Test
    void diskFull_underEveryDurabilityMode_givesStoreFullException() throws IOException {
        for (Durability durability : List.of(Durability.FSYNC, Durability.OS_BUFFERED, Durability.fsyncEvery(java.time.Duration.ofMillis(5)))) {
            Path sub = dir.resolve(durability.getClass().getSimpleName());
            try (SegmentedLog log = SegmentedLog.open(sub, options(1 << 20).withDurability(durability))) {
                log.append(1, bytes(name(0))).join();
                disk.diskFullOnWrite(true);
                assertThatThrownBy(() -> log.append(1, bytes(name(1))).join()).cause().isInstanceOf(StoreFullException.class);
                disk.diskFullOnWrite(false);
                log.append(1, bytes(name(2))).join();
                assertThat(payloads(replayAll(log))).containsExactly(name(0), name(2));
            }
        }
    }

    @Test
    void aChannelClosedUnderTheWriter_isOpenedAgain() throws IOException {
        java.util.concurrent.atomic.AtomicBoolean closeOnNextWrite = new java.util.concurrent.atomic.AtomicBoolean();
        ChannelFactory closing = (path, options) -> new DelegatingChannel(java.nio.channels.FileChannel.open(path, options)) {
            @Override
            public int write(java.nio.ByteBuffer src, long position) throws IOException {
                if (closeOnNextWrite.getAndSet(false)) {
                    close();  // what an interrupt during the write does
                    throw new java.nio.channels.ClosedByInterruptException();
                }
                return super.write(src, position);
            }
        };
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withChannels(closing))) {
            log.append(1, bytes("before")).join();
            closeOnNextWrite.set(true);
            assertThatThrownBy(() -> log.append(1, bytes("interrupted")).join()).cause().isInstanceOf(StoreException.class);
            log.append(1, bytes("after")).join();
            assertThat(payloads(replayAll(log))).containsExactly("before", "after");
        }
    }

    @Test
    void anotherIoError_givesStoreException_notStoreFull() throws IOException {
        ChannelFactory failingForce = (path, options) -> {
            var real = java.nio.channels.FileChannel.open(path, options);
            return new DelegatingChannel(real) {
                @Override
                public void force(boolean metaData) throws IOException {
                    if (failNext) throw new IOException("Input/output error");
                    super.force(metaData);
                }
            };
        };
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withChannels(failingForce))) {
            log.append(1, bytes("ok")).join();
            DelegatingChannel.failNext = true;
            try {
                assertThatThrownBy(() -> log.append(1, bytes("fails")).join()).cause()
                    .isExactlyInstanceOf(StoreException.class).hasMessageContaining("Input/output error");
            } finally {
                DelegatingChannel.failNext = false;
            }
            log.append(1, bytes("ok again")).join();
            assertThat(payloads(replayAll(log))).containsExactly("ok", "ok again");
        }
    }
}
