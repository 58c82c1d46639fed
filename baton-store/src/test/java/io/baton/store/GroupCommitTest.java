package io.baton.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit: concurrent appends share fsyncs. */
class GroupCommitTest {

    @TempDir
    Path dir;

    /** Appenders that each wait for their append before the next, as senders do. */
    private static LogStats run(SegmentedLog log, int appenders, int each) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < appenders; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] payload = new byte[128];
                for (int i = 0; i < each; i++) log.append(1, payload).join();
            }));
        }
        for (Thread t : threads) t.join();
        return log.stats();
    }

    @Test
    void concurrentAppends_shareOneFsyncPerBatch() throws Exception {
        FaultyChannelFactory disk = new FaultyChannelFactory(1).forceDelay(500_000);  // a 0.5 ms fsync
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withChannels(disk))) {
            long forcesAtOpen = disk.forces();
            LogStats stats = run(log, 64, 50);
            long fsyncs = disk.forces() - forcesAtOpen;
            System.out.printf("group commit, model disk (0.5 ms fsync), 64 appenders: %d appends, %d fsyncs, %.1f appends per fsync%n",
                stats.appends(), fsyncs, (double) stats.appends() / fsyncs);
            assertThat(stats.appends()).isEqualTo(64 * 50);
            assertThat(stats.fsyncs()).isEqualTo(fsyncs);
            assertThat(fsyncs).isLessThanOrEqualTo(stats.appends() / 8);
        }
    }

    @Test
    void oneAppenderAtATime_getsOneFsyncPerAppend() throws Exception {
        FaultyChannelFactory disk = new FaultyChannelFactory(1);
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withChannels(disk))) {
            long forcesAtOpen = disk.forces();
            LogStats stats = run(log, 1, 100);
            assertThat(disk.forces() - forcesAtOpen).isEqualTo(100);
            assertThat(stats.appendsPerFsync()).isEqualTo(1.0);
        }
    }

    @Test
    void onTheRealDisk_concurrentAppendsShareFsyncs() throws Exception {
        FaultyChannelFactory counting = new FaultyChannelFactory(1).passThroughForce(true);
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withChannels(counting))) {
            long start = System.nanoTime();
            LogStats stats = run(log, 32, 100);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("group commit, real disk (%s), 32 appenders: %d appends, %d fsyncs, %.1f appends per fsync, %.0f appends/s%n",
                dir, stats.appends(), stats.fsyncs(), stats.appendsPerFsync(), stats.appends() / seconds);
            assertThat(stats.fsyncs()).isLessThan(stats.appends());
        }
    }

    @Test
    void aFloodOfAsyncAppends_isWrittenInFewBatches() throws IOException {
        FaultyChannelFactory disk = new FaultyChannelFactory(1).forceDelay(200_000);
        try (SegmentedLog log = SegmentedLog.open(dir, LogOptions.defaults().withChannels(disk))) {
            var futures = new ArrayList<java.util.concurrent.CompletableFuture<Long>>();
            byte[] payload = new byte[128];
            for (int i = 0; i < 20_000; i++) futures.add(log.append(1, payload));
            futures.forEach(java.util.concurrent.CompletableFuture::join);
            LogStats stats = log.stats();
            System.out.printf("async flood: %d appends in %d batches, %d fsyncs%n", stats.appends(), stats.batches(), stats.fsyncs());
            assertThat(stats.batches()).isLessThan(20_000 / 10);
        }
    }
}
