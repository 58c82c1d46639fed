package io.baton.store;

import java.time.Duration;
import java.util.Objects;

/**
 * What "written" means when {@link SegmentedLog#append} completes. Named for what each promises.
 */
public sealed interface Durability {

    /**
     * The default: an append completes only after the fsync that covers it. Concurrent appends
     * share one fsync (group commit). Nothing acknowledged is lost on a crash or power loss.
     */
    record Fsync() implements Durability {}

    /**
     * Appends complete once written to the OS; an fsync runs every {@code interval}. A power loss
     * may lose up to the last interval; a process crash loses nothing.
     */
    record FsyncEveryInterval(Duration interval) implements Durability {
        public FsyncEveryInterval {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive: " + interval);
        }
    }

    /**
     * Appends complete once written to the OS, which flushes when it likes. A power loss may lose
     * an unbounded amount of recent data; a process crash loses nothing.
     */
    record OsBuffered() implements Durability {}

    Durability FSYNC = new Fsync();
    Durability OS_BUFFERED = new OsBuffered();

    static Durability fsyncEvery(Duration interval) { return new FsyncEveryInterval(interval); }
}
