package io.baton.store;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link SegmentedLog#open} found and did. A clean shutdown gives an empty report; a crash or
 * power loss usually leaves one torn tail; anything in {@link #corruptions()} is damage that was
 * found outside the tail: it is never silently dropped, its file is copied aside
 * ({@link #quarantinedFiles()}), and every record around it that still verifies is served.
 *
 * @param truncatedTails   torn tails cut off the last segment (records never acknowledged under fsync)
 * @param corruptions      damaged byte ranges, each with its file and offset; their records are skipped
 * @param quarantinedFiles copies of the damaged segments ({@code <segment>.corrupt}), kept for inspection
 */
public record RecoveryReport(List<TruncatedTail> truncatedTails, List<Corruption> corruptions, List<Path> quarantinedFiles) {

    public RecoveryReport {
        truncatedTails = List.copyOf(truncatedTails);
        corruptions = List.copyOf(corruptions);
        quarantinedFiles = List.copyOf(quarantinedFiles);
    }

    /**
     * A torn write at the end of the last segment, cut off at {@code offset}.
     *
     * @param file   the segment
     * @param offset where the file now ends (the end of the last whole record; 0 if the segment
     *               header itself was torn and was written again)
     * @param bytes  how many bytes were cut off
     */
    public record TruncatedTail(Path file, long offset, long bytes) {}

    /**
     * Damaged bytes, not served; or, with length 0, positions missing before this segment (a
     * segment file between two others is gone).
     *
     * @param file   the segment
     * @param offset file offset where the damage starts: the record (or segment header, at 0) that
     *               failed verification
     * @param length bytes skipped, up to the next record that verifies (or the end of the file)
     * @param reason what failed
     */
    public record Corruption(Path file, long offset, long length, String reason) {}

    /** Nothing was truncated or found damaged. */
    public boolean clean() {
        return truncatedTails.isEmpty() && corruptions.isEmpty();
    }
}
