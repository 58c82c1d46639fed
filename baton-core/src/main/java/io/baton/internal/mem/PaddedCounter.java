package io.baton.internal.mem;

/**
 * A message count and a byte count on cache lines of their own, written under a lock by
 * receivers and read without it by senders, who thus do not suffer false sharing with the
 * receivers' other fields.
 */
final class PaddedCounter {
    @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07, p08;
    private volatile long count;
    private volatile long bytes;
    @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17, p18;

    long count() { return count; }

    long bytes() { return bytes; }

    /** Adds without atomicity; for a side whose writers hold a lock. */
    void add(long messages, long size) {
        count = count + messages;
        bytes = bytes + size;
    }
}
