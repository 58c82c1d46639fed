package io.baton.store;

import java.nio.file.Path;

/**
 * One segment file as the log sees it now.
 *
 * @param basePosition   position of its first record (also its file name, zero-padded)
 * @param endPosition    position just past its last readable record: the next segment's base
 * @param path           the file
 * @param sizeBytes      bytes in the file that hold readable records, header included
 * @param firstTimestamp append time of its first record, epoch ms; -1 if it holds none
 * @param lastTimestamp  append time of its newest record, epoch ms; -1 if it holds none
 * @param active         whether appends go here (the last segment; never deleted)
 */
public record SegmentInfo(long basePosition, long endPosition, Path path, long sizeBytes,
                          long firstTimestamp, long lastTimestamp, boolean active) {
}
