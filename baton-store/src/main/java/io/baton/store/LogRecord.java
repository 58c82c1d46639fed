package io.baton.store;

/**
 * One record read back from the log.
 *
 * @param position  where it starts: its segment's base position plus its offset in the segment
 *                  (after the segment header); positions grow with every append and are never reused
 * @param type      the caller's record type, 0..255
 * @param payload   the caller's bytes (a fresh array, owned by the caller once returned)
 * @param timestamp when it was appended, epoch milliseconds; never decreases along the log
 */
public record LogRecord(long position, int type, byte[] payload, long timestamp) {
}
