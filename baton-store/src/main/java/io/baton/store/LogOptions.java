package io.baton.store;

import java.util.Objects;

/**
 * Settings of a {@link SegmentedLog}; immutable.
 *
 * @param durability     what a completed append promises (default {@link Durability#FSYNC}: group commit)
 * @param segmentBytes   roll to a new segment before the active one would grow past this (default 64 MiB);
 *                       a record bigger than this gets a segment of its own
 * @param maxRecordBytes the largest payload {@link SegmentedLog#append} takes (default 16 MiB)
 * @param channels       opens the files (default: the real disk; tests put a disk model here)
 */
public record LogOptions(Durability durability, long segmentBytes, int maxRecordBytes, ChannelFactory channels) {

    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    public static final int DEFAULT_MAX_RECORD_BYTES = 16 << 20;
    /** Room for the segment header and one small record. */
    public static final long MIN_SEGMENT_BYTES = 64;

    public LogOptions {
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(channels, "channels");
        if (segmentBytes < MIN_SEGMENT_BYTES) throw new IllegalArgumentException("segmentBytes must be at least " + MIN_SEGMENT_BYTES + ": " + segmentBytes);
        if (maxRecordBytes < 0 || maxRecordBytes > LogRecordFormat.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("maxRecordBytes must be 0.." + LogRecordFormat.MAX_PAYLOAD_BYTES + ": " + maxRecordBytes);
        }
    }

    /** Fsync group commit, 64 MiB segments, 16 MiB records, the real disk. */
    public static LogOptions defaults() {
        return new LogOptions(Durability.FSYNC, DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_RECORD_BYTES, ChannelFactory.DEFAULT);
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    public LogOptions withDurability(Durability durability) {
        return new LogOptions(durability, segmentBytes, maxRecordBytes, channels);
    }

    public LogOptions withSegmentBytes(long segmentBytes) {
        return new LogOptions(durability, segmentBytes, maxRecordBytes, channels);
    }

    public LogOptions withMaxRecordBytes(int maxRecordBytes) {
        return new LogOptions(durability, segmentBytes, maxRecordBytes, channels);
    }

    public LogOptions withChannels(ChannelFactory channels) {
        return new LogOptions(durability, segmentBytes, maxRecordBytes, channels);
    }

    /** Builds {@link LogOptions}, starting from {@link #defaults()}. */
    public static final class Builder {
        private LogOptions options;

        private Builder(LogOptions start) { this.options = start; }

        public Builder durability(Durability durability) { options = options.withDurability(durability); return this; }

        public Builder segmentBytes(long segmentBytes) { options = options.withSegmentBytes(segmentBytes); return this; }

        public Builder maxRecordBytes(int maxRecordBytes) { options = options.withMaxRecordBytes(maxRecordBytes); return this; }

        public Builder channels(ChannelFactory channels) { options = options.withChannels(channels); return this; }

        public LogOptions build() { return options; }
    }
}
