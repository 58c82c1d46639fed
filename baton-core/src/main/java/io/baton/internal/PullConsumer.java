package io.baton.internal;

import io.baton.BatonClosedException;
import io.baton.Codec;
import io.baton.CodecException;
import io.baton.Handler;
import io.baton.Message;
import io.baton.spi.Delivery;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer of a queue or durable subscription: {@code concurrency} virtual threads, each pulling
 * deliveries from the source and running the handler on them. Returning acks, throwing nacks
 * through the {@link Settlement} (retry, then dead letter).
 *
 * <p>A single worker pulls batches sized to about 0.2 ms of handler work (fewer trips to the
 * source for fast handlers, no hoarding by slow ones); before running the handler on a batch's
 * later message it renews that message's lease if a third of it has gone. Several
 * workers take one message at a time, so keys spread over them. Stopping: workers finish the
 * message in hand and release the rest of their batch unprocessed.
 */
final class PullConsumer<T> extends Function {
    private static final Logger log = LoggerFactory.getLogger(PullConsumer.class);
    private static final Duration POLL = Duration.ofSeconds(1); // idle workers are woken by a stop
    private static final int MAX_BATCH = 256;
    /** Waits between receives that failed in a row: 50 ms doubling to 5 s. */
    private static final io.baton.Backoff RETRY = io.baton.Backoff.exponential(Duration.ofMillis(50), Duration.ofSeconds(5));
    private static final long BATCH_WORK_NANOS = 200_000;

    private final Settlement settlement;
    private final Codec codec;
    private final Class<T> type;
    private final Handler<Message<T>> messageHandler; // one of these two is null
    private final Handler<T> bodyHandler;
    private final WorkerPool workers = new WorkerPool();

    private PullConsumer(FunctionRuntime runtime, Settlement settlement, Codec codec, Class<T> type,
                         Handler<Message<T>> messageHandler, Handler<T> bodyHandler) {
        super(runtime);
        this.settlement = settlement;
        this.codec = codec;
        this.type = type;
        this.messageHandler = messageHandler;
        this.bodyHandler = bodyHandler;
    }

    /** A consumer whose handler sees whole messages. */
    static <T> PullConsumer<T> ofMessages(FunctionRuntime runtime, Settlement settlement, Codec codec, Class<T> type, Handler<Message<T>> handler) {
        return new PullConsumer<>(runtime, settlement, codec, type, handler, null);
    }

    /** A consumer whose handler sees bodies only. */
    static <T> PullConsumer<T> ofBodies(FunctionRuntime runtime, Settlement settlement, Codec codec, Class<T> type, Handler<T> handler) {
        return new PullConsumer<>(runtime, settlement, codec, type, null, handler);
    }

    PullConsumer<T> start() {
        int concurrency = settlement.options().concurrency();
        int maxBatch = concurrency == 1 ? MAX_BATCH : 1;
        workers.start("baton-consume-" + settlement.source().name(), concurrency, slot -> work(slot, maxBatch));
        return this;
    }

    private void work(WorkerPool.Slot slot, int maxBatch) {
        long[] acks = new long[maxBatch];
        int[] acked = {0};
        try {
            loop(slot, maxBatch, acks, acked);
        } finally {
            // acks still held for the next trip; acking twice is harmless (stale tokens do nothing)
            if (acked[0] > 0) {
                try {
                    settlement.source().ack(acks, acked[0]);
                } catch (RuntimeException e) {
                    log.debug("final acks of '{}' not delivered; those messages will be redelivered", settlement.source().name(), e);
                }
            }
            try {
                settlement.source().consumerStopped();
            } catch (RuntimeException e) {
                log.debug("'{}' could not take back what it fetched ahead; it comes back after the lease", settlement.source().name(), e);
            }
        }
    }

    private void loop(WorkerPool.Slot slot, int maxBatch, long[] acks, int[] acked) {
        Duration lease = settlement.options().ackTimeout();
        long renewAfter = lease.toNanos() / 3;
        int batchSize = 1; // grows while handlers are fast; see nextBatchSize
        int failures = 0; // receives failed in a row
        while (slot.idle()) {
            List<Delivery> batch;
            try {
                // the previous batch's acks travel with this receive: one trip for both
                batch = settlement.source().ackAndReceive(acks, acked[0], batchSize, POLL, lease);
                acked[0] = 0;
            } catch (InterruptedException e) {
                if (slot.busy()) continue;
                return;
            } catch (BatonClosedException e) {
                return;
            } catch (RuntimeException e) {
                // still idle while it waits, so a stop interrupts the wait; a source that keeps failing
                // (a connection failed for good) is asked again at most every few seconds, not in a spin
                failures++;
                if (slot.stopped()) return; // a source that swallowed the stop's interrupt
                if (failures == 1) {
                    log.error("consumer of '{}' could not receive; retrying", settlement.source().name(), e);
                } else {
                    log.error("consumer of '{}' could not receive ({} times in a row): {}; retrying in {} ms", settlement.source().name(),
                            failures, e.toString(), RETRY.delayAfter(failures).toMillis());
                }
                try {
                    Thread.sleep(RETRY.delayAfter(failures));
                } catch (InterruptedException stop) {
                    // busy() below tells a stop from anything else
                }
                if (!slot.busy()) return;
                continue;
            }
            failures = 0;
            boolean stopping = !slot.busy();
            long receivedAt = System.nanoTime();
            long leasedAt = receivedAt;
            Delivery[] items = batch.toArray(new Delivery[0]);
            for (int i = 0; i < items.length; i++) {
                Delivery d = items[i];
                if (d == null) continue; // its lease was lost while an earlier handler ran
                if (stopping || slot.stopped()) {
                    settlement.source().release(d.token()); // not started: back to the queue, attempt not counted
                    continue;
                }
                if (process(d)) acks[acked[0]++] = d.token();
                // A slow handler must not let the rest of the batch, done or waiting, lose its leases:
                // after a third of a lease, ack what is done and renew what waits (the clock is read
                // every 8th message, and after any message of a small batch).
                if (i + 1 < items.length && ((i & 7) == 7 || items.length <= 8) && System.nanoTime() - leasedAt > renewAfter) {
                    if (acked[0] > 0) {
                        settlement.source().ack(acks, acked[0]);
                        acked[0] = 0;
                    }
                    for (int j = i + 1; j < items.length; j++) {
                        if (items[j] != null && !settlement.source().extend(items[j].token(), lease)) items[j] = null;
                    }
                    leasedAt = System.nanoTime();
                }
            }
            if (stopping) return;
            if (maxBatch > 1 && !batch.isEmpty()) batchSize = nextBatchSize(batch.size(), System.nanoTime() - receivedAt, maxBatch);
        }
    }

    /**
     * How many messages to take next: about {@link #BATCH_WORK_NANOS} of handler work. Fast handlers
     * get big batches (few trips to the source); slow ones take one at a time, so that competing
     * consumers and group members share the work instead of one prefetching it all.
     */
    static int nextBatchSize(int processed, long elapsedNanos, int maxBatch) {
        long perMessage = Math.max(1, elapsedNanos / processed);
        return (int) Math.max(1, Math.min(maxBatch, BATCH_WORK_NANOS / perMessage));
    }

    /** Runs the handler; true if the message is to be acked with the batch. */
    private boolean process(Delivery delivery) {
        return bodyHandler != null ? processBody(delivery) : processMessage(delivery);
    }

    /** The plain {@code consume(body -> ...)} path: no {@link Message} object at all. */
    private boolean processBody(Delivery delivery) {
        if (!settlement.admit(delivery)) return false;
        T body;
        try {
            body = codec.decode(delivery.envelope().payload(), type);
        } catch (CodecException e) {
            settlement.undecodable(delivery, e);
            return false;
        }
        try {
            bodyHandler.handle(body);
            return true;
        } catch (Throwable t) {
            failed(delivery, t);
            return false;
        }
    }

    private boolean processMessage(Delivery delivery) {
        ReceivedMessage<T> message = settlement.open(delivery, codec, type);
        if (message == null) return false;
        try {
            messageHandler.handle(message);
            return message.settleForBatchAck(); // false if the handler settled it itself
        } catch (Throwable t) {
            if (message.settleForBatchAck()) failed(delivery, t); // unless the handler settled it itself
            return false;
        }
    }

    /** A handler threw: nack (retry or dead-letter), or hand back if a stop interrupted it. */
    private void failed(Delivery delivery, Throwable t) {
        if (stopped() && (t instanceof InterruptedException || Thread.currentThread().isInterrupted())) {
            settlement.release(delivery); // interrupted by a close that timed out: attempt not counted
            return;
        }
        log.debug("handler of '{}' failed on attempt {}", settlement.source().name(), delivery.attempt(), t);
        settlement.nack(delivery, t);
    }

    private boolean stopped() {
        return !isActive();
    }

    @Override
    void onStop() {
        workers.stop();
    }

    @Override
    void awaitHandlers(long deadlineNanos) {
        workers.await(deadlineNanos);
    }
}
