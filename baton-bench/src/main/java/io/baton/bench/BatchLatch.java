package io.baton.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets a producer wait until its consumer has taken a whole batch. The consumer calls
 * {@link #consumed(byte[])} once per message; the producer calls {@link #expect(int)} before
 * sending a batch and {@link #await()} after. Every queue variant uses this same class, so the
 * cost of counting is identical on both sides of a comparison.
 *
 * <p>Thread model: one producer thread; any number of consumer threads (a single consumer in
 * practice). The producer parks once per batch, not once per message.
 */
final class BatchLatch {
    /** A batch that has not drained in this long means the consumer is stuck: fail, don't hang. */
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final int messageSize;
    private final AtomicLong consumed = new AtomicLong();
    private volatile long target = Long.MAX_VALUE;
    private volatile Thread producer;
    private volatile String corruption;

    BatchLatch(int messageSize) {
        this.messageSize = messageSize;
    }

    /** Consumer side: one message taken. */
    void consumed(byte[] body) {
        if (body.length != messageSize) {
            corruption = "a message of " + body.length + " B arrived, " + messageSize + " B were sent";
        }
        if (consumed.incrementAndGet() == target) {
            LockSupport.unpark(producer);
        }
    }

    /** Producer side, before sending: the next {@code n} messages are one batch. */
    void expect(int n) {
        producer = Thread.currentThread();
        // Written before the first message of the batch is handed off, so the consumer sees it.
        target = consumed.get() + n;
    }

    /** Producer side, after sending: waits until the consumer has taken the whole batch. */
    void await() {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        long want = target;
        while (consumed.get() < want) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("consumer stalled: " + consumed.get() + " of " + want
                        + " messages taken after " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s");
            }
            LockSupport.parkNanos(this, left);
        }
    }

    /** At tear-down: every message arrived whole. */
    void check() {
        if (corruption != null) {
            throw new IllegalStateException(corruption);
        }
    }
}
