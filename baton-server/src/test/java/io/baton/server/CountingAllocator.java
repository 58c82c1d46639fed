package io.baton.server;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A heap allocator that counts what it hands out: every array behind every buffer, including the
 * ones a buffer grows into. So a test sees the largest buffer the server asked for, the most bytes
 * it held at once and whether it gave every buffer back. Thread-safe: answers are written from
 * virtual threads too.
 */
final class CountingAllocator extends AbstractByteBufAllocator {
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong liveArrays = new AtomicLong();
    private final AtomicLong peakLive = new AtomicLong();
    private final AtomicLong largest = new AtomicLong();
    private final AtomicLong total = new AtomicLong();

    CountingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return new CountedHeapBuf(this, initialCapacity, maxCapacity);
    }

    /** Heap too: a direct buffer's memory would be counted the same way, and this keeps every byte visible. */
    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private void allocated(int bytes) {
        long now = live.addAndGet(bytes);
        liveArrays.incrementAndGet();
        peakLive.accumulateAndGet(now, Math::max);
        largest.accumulateAndGet(bytes, Math::max);
        total.addAndGet(bytes);
    }

    private void freed(int bytes) {
        live.addAndGet(-bytes);
        liveArrays.decrementAndGet();
    }

    /** Bytes in buffers not released yet. */
    long liveBytes() {
        return live.get();
    }

    /** Buffers (arrays) not released yet. */
    long liveBuffers() {
        return liveArrays.get();
    }

    /** The most bytes held at once. */
    long peakLiveBytes() {
        return peakLive.get();
    }

    /** The largest single array handed out. */
    long largestBuffer() {
        return largest.get();
    }

    /** Bytes handed out in all. */
    long totalBytes() {
        return total.get();
    }

    private static final class CountedHeapBuf extends UnpooledHeapByteBuf {
        CountedHeapBuf(ByteBufAllocator alloc, int initialCapacity, int maxCapacity) {
            super(alloc, initialCapacity, maxCapacity);
        }

        // alloc() is set before the constructor allocates the first array
        @Override
        protected byte[] allocateArray(int initialCapacity) {
            ((CountingAllocator) alloc()).allocated(initialCapacity);
            return super.allocateArray(initialCapacity);
        }

        @Override
        protected void freeArray(byte[] array) {
            ((CountingAllocator) alloc()).freed(array.length);
            super.freeArray(array);
        }
    }
}
