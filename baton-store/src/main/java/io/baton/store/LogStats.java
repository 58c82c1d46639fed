package io.baton.store;

/**
 * Counters of a {@link SegmentedLog} since it was opened.
 *
 * @param appends records written and acknowledged
 * @param batches write batches (group commits) that succeeded
 * @param fsyncs  {@code force} calls on segment files: per batch under fsync, per interval, per roll, at close
 */
public record LogStats(long appends, long batches, long fsyncs) {

    /** Records per fsync: how well group commit batched, {@code appends} if there was no fsync. */
    public double appendsPerFsync() {
        return fsyncs == 0 ? appends : (double) appends / fsyncs;
    }
}
