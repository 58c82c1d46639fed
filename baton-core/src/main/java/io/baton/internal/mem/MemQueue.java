package io.baton.internal.mem;

import io.baton.BatonClosedException;
import io.baton.QueueFullException;
import io.baton.QueueOptions;
import io.baton.QueueStats;
import io.baton.spi.Delivery;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One in-memory queue, guarded by one lock.
 *
 * <p>A stored message is in exactly one place: {@code fresh} (ready, in send order),
 * {@code returned} (ready again after a nack, release, expiry or delay; ordered by sequence, so it
 * goes out before younger messages), {@code delayed} (by due time), {@code parked} (waiting behind
 * an earlier message of the same key) or {@code inFlight} (leased to a consumer). A key is
 * <i>owned</i> by at most one of its messages outside {@code parked}; when that one is acked (or
 * dropped) the next parked message of the key becomes the owner. That gives key order with
 * parallelism across keys.
 *
 * <p>Timers (due delays, expired leases) are processed by whoever takes the lock next in
 * {@link #receive}; waiting receivers bound their wait by the next timer, so no thread is needed.
 */
final class MemQueue implements QueueChannel {
    static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final long LEASE_SCAN_MILLIS = 20;
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 2_000 : 0;

    private final String name;
    private final QueueOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final Condition space = lock.newCondition();

    private final ArrayDeque<Entry> fresh = new ArrayDeque<>();
    private final PriorityQueue<Entry> returned = new PriorityQueue<>(Comparator.comparingLong(e -> e.seq));
    private final PriorityQueue<Entry> delayed = new PriorityQueue<>(
            Comparator.<Entry>comparingLong(e -> e.dueAt).thenComparingLong(e -> e.seq));
    private final Map<String, ArrayDeque<Entry>> parked = new HashMap<>();
    private final Map<String, Entry> keyOwners = new HashMap<>();
    private final LongMap<Entry> inFlight = new LongMap<>();
    private final LinkedHashMap<String, Long> seenIds = new LinkedHashMap<>();

    private int waitingReceivers;
    private int waitingSenders;
    private long nextSeq = 1;
    private long nextToken = 1;
    private long waitingCount;
    private long waitingBytes;
    private long lastLeaseScan;
    private volatile boolean closed;
    /** Bumped (under the lock) when a message is appended; read by spinning receivers without it. */
    private volatile int readyEvents;

    private long sent, acked, redelivered, dropped, rejected, duplicates;

    MemQueue(String name, QueueOptions options) {
        this.name = name;
        this.options = options;
    }

    @Override
    public String name() {
        return name;
    }

    QueueOptions options() {
        return options;
    }

    @Override
    public CompletableFuture<Void> send(Envelope envelope, long deliverAtMillis) {
        append(envelope, deliverAtMillis, 0);
        return DONE;
    }

    /**
     * Stores a message; {@code externalSeq} > 0 keeps a sequence given by the caller (a durable
     * subscription keeps its topic's sequence numbers).
     */
    void append(Envelope envelope, long deliverAtMillis, long externalSeq) {
        int size = envelope.payload().length;
        lock.lock();
        try {
            ensureOpen();
            // The clock costs tens of ns: read it only for dedupe or a delay.
            long now = envelope.id() != null || deliverAtMillis > 0 ? System.currentTimeMillis() : 0;
            if (envelope.id() != null && isDuplicate(envelope.id(), now)) {
                duplicates++;
                return;
            }
            if (!makeRoom(size)) {
                rejected++;
                throw new QueueFullException("queue '" + name + "' is full (" + waitingCount + " messages, " + waitingBytes
                        + " bytes waiting; limits " + options.maxLength() + " messages, " + options.maxBytes() + " bytes; overflow "
                        + options.overflow() + ")");
            }
            if (envelope.id() != null) seenIds.put(envelope.id(), now + options.dedupeWindow().toMillis());
            Entry e = new Entry(envelope, externalSeq > 0 ? externalSeq : nextSeq++, deliverAtMillis);
            waitingCount++;
            waitingBytes += size;
            sent++;
            String key = envelope.key();
            if (key != null) {
                if (keyOwners.containsKey(key)) {
                    parked.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(e);
                    return;
                }
                keyOwners.put(key, e);
            }
            if (deliverAtMillis > now) {
                e.dueAt = deliverAtMillis;
                delayed.add(e);
            } else {
                fresh.addLast(e);
                if (waitingReceivers == 0) readyEvents++; // only spinners can be watching
            }
            signalReceiver(); // for a delay too: a waiting receiver must shorten its wait to the new due time
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new QueueFullException("interrupted while waiting for space in queue '" + name + "'");
        } finally {
            lock.unlock();
        }
    }

    private boolean isDuplicate(String id, long now) {
        Iterator<Map.Entry<String, Long>> it = seenIds.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() > now) break;
            it.remove(); // insertion order is expiry order: the window is fixed
        }
        return seenIds.containsKey(id);
    }

    /** Called with the lock held; false if the overflow policy refuses. */
    private boolean makeRoom(int size) throws InterruptedException {
        if (!isFull(size)) return true;
        switch (options.overflow()) {
            case REJECT -> {
                return false;
            }
            case DROP_OLDEST -> {
                while (isFull(size)) {
                    if (!dropOldest()) return false;
                }
                return true;
            }
            case BLOCK -> {
                long nanos = options.blockTimeout().toNanos();
                while (isFull(size)) {
                    if (nanos <= 0) return false;
                    waitingSenders++;
                    try {
                        nanos = space.awaitNanos(nanos);
                    } finally {
                        waitingSenders--;
                    }
                    ensureOpen();
                }
                return true;
            }
            default -> throw new IllegalStateException("unknown overflow " + options.overflow());
        }
    }

    private boolean isFull(int size) {
        return waitingCount + 1 > options.maxLength() || (waitingCount > 0 && waitingBytes + size > options.maxBytes());
    }

    /**
     * Drops the waiting message with the lowest sequence, wherever it waits (ready, delayed or
     * held behind its key). The overflow path, so a scan is fine here.
     */
    private boolean dropOldest() {
        Entry victim = null;
        Entry f = fresh.peekFirst();
        if (f != null) victim = f;
        Entry r = returned.peek();
        if (r != null && (victim == null || r.seq < victim.seq)) victim = r;
        for (Entry d : delayed) if (victim == null || d.seq < victim.seq) victim = d;
        ArrayDeque<Entry> parkedWith = null;
        for (ArrayDeque<Entry> q : parked.values()) {
            Entry p = q.peekFirst();
            if (p != null && (victim == null || p.seq < victim.seq)) {
                victim = p;
                parkedWith = q;
            }
        }
        if (victim == null) return false;
        if (parkedWith != null && parkedWith.peekFirst() == victim) {
            parkedWith.pollFirst();
            if (parkedWith.isEmpty()) parked.remove(victim.envelope.key());
        } else {
            if (victim == f) fresh.pollFirst();
            else if (victim == r) returned.poll();
            else delayed.remove(victim);
            releaseKey(victim);
        }
        leaveWaiting(victim);
        dropped++;
        return true;
    }

    @Override
    public List<Delivery> receive(int max, Duration wait, Duration lease) throws InterruptedException {
        long deadline = 0; // set on the first wait: the clock costs tens of ns
        lock.lockInterruptibly();
        try {
            while (true) {
                ensureOpen();
                long now = System.currentTimeMillis();
                long nextTimer = processTimers(now);
                if (!fresh.isEmpty() || !returned.isEmpty()) return take(max, now + lease.toMillis());
                long remaining;
                if (deadline == 0) {
                    if (SPINS > 0 && !wait.isZero()) {
                        int seen = readyEvents;
                        lock.unlock();
                        try {
                            spinWhile(seen);
                        } finally {
                            lock.lockInterruptibly();
                        }
                        if (!fresh.isEmpty() || !returned.isEmpty()) continue;
                    }
                    remaining = wait.toNanos();
                    deadline = System.nanoTime() + remaining;
                } else {
                    remaining = deadline - System.nanoTime();
                }
                if (remaining <= 0) return List.of();
                if (nextTimer > 0) remaining = Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(Math.max(1, nextTimer - now)));
                waitingReceivers++;
                try {
                    available.awaitNanos(remaining);
                } finally {
                    waitingReceivers--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private List<Delivery> take(int max, long leaseUntil) {
        List<Delivery> out = new ArrayList<>(Math.min(max, 16));
        while (out.size() < max) {
            Entry e;
            Entry f = fresh.peekFirst();
            Entry r = returned.peek();
            if (f == null && r == null) break;
            if (r == null || (f != null && f.seq < r.seq)) e = fresh.pollFirst();
            else e = returned.poll();
            leaveWaiting(e);
            e.attempts++;
            if (e.attempts > 1) redelivered++;
            e.token = nextToken++;
            e.leaseUntil = leaseUntil;
            inFlight.put(e.token, e);
            out.add(new Delivery(e.envelope, e.token, e.attempts, e.seq));
        }
        if (waitingSenders > 0) space.signalAll();
        if (!fresh.isEmpty() || !returned.isEmpty()) signalReceiver(); // let another receiver take the rest
        return out;
    }

    /** Moves due delays and expired leases back to ready; returns the next timer (epoch ms) or 0. */
    private long processTimers(long now) {
        boolean moved = false;
        while (!delayed.isEmpty() && delayed.peek().dueAt <= now) {
            returned.add(delayed.poll());
            moved = true;
        }
        long next = delayed.isEmpty() ? 0 : delayed.peek().dueAt;
        if (!inFlight.isEmpty()) {
            if (now - lastLeaseScan >= LEASE_SCAN_MILLIS) {
                lastLeaseScan = now;
                int before = inFlight.size();
                inFlight.removeIf(e -> e.leaseUntil <= now, e -> {
                    e.token = 0;
                    enterWaiting(e);
                    returned.add(e);
                });
                moved |= inFlight.size() != before;
            }
            long scan = lastLeaseScan + LEASE_SCAN_MILLIS;
            if (!inFlight.isEmpty()) next = next == 0 ? scan : Math.min(next, scan);
        }
        if (moved) signalReceiver();
        return next;
    }

    @Override
    public void ack(long token) {
        lock.lock();
        try {
            settle(token);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ack(long[] tokens, int count) {
        lock.lock();
        try {
            for (int i = 0; i < count; i++) settle(tokens[i]);
        } finally {
            lock.unlock();
        }
    }

    private void settle(long token) {
        Entry e = inFlight.remove(token);
        if (e == null) return;
        acked++;
        releaseKey(e);
    }

    @Override
    public void nack(long token, Duration delay) {
        lock.lock();
        try {
            Entry e = inFlight.remove(token);
            if (e == null) return;
            e.token = 0;
            enterWaiting(e);
            long now = System.currentTimeMillis();
            if (delay.isZero() || delay.isNegative()) {
                returned.add(e);
            } else {
                e.dueAt = now + delay.toMillis();
                delayed.add(e);
            }
            signalReceiver();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(long token) {
        lock.lock();
        try {
            Entry e = inFlight.remove(token);
            if (e == null) return;
            e.token = 0;
            e.attempts--;
            enterWaiting(e);
            returned.add(e);
            signalReceiver();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean extend(long token, Duration lease) {
        lock.lock();
        try {
            Entry e = inFlight.get(token);
            if (e == null) return false;
            e.leaseUntil = System.currentTimeMillis() + lease.toMillis();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public QueueStats stats() {
        lock.lock();
        try {
            return new QueueStats(waitingCount, inFlight.size(), sent, acked, redelivered, dropped, rejected, duplicates);
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            available.signalAll();
            space.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes one waiting receiver; counting them saves the signal on the per-message path. */
    private void signalReceiver() {
        if (waitingReceivers > 0) available.signal();
    }

    /**
     * Busy-waits briefly, without the lock, for a message to become ready: a hand-off that arrives
     * within microseconds then costs no park and unpark on either side.
     */
    private void spinWhile(int seen) {
        for (int i = 0; i < SPINS && readyEvents == seen && !closed; i++) {
            Thread.onSpinWait();
        }
    }

    private void ensureOpen() {
        if (closed) throw new BatonClosedException("queue '" + name + "' is closed: its backend was closed");
    }

    private void releaseKey(Entry e) {
        String key = e.envelope.key();
        if (key == null || keyOwners.get(key) != e) return;
        ArrayDeque<Entry> waiting = parked.get(key);
        Entry next = waiting == null ? null : waiting.pollFirst();
        if (next == null) {
            keyOwners.remove(key);
            if (waiting != null) parked.remove(key);
            return;
        }
        if (waiting.isEmpty()) parked.remove(key);
        keyOwners.put(key, next);
        if (next.deliverAt > System.currentTimeMillis()) {
            next.dueAt = next.deliverAt;
            delayed.add(next);
        } else {
            returned.add(next);
            signalReceiver();
        }
    }

    private void leaveWaiting(Entry e) {
        waitingCount--;
        waitingBytes -= e.envelope.payload().length;
    }

    private void enterWaiting(Entry e) {
        waitingCount++;
        waitingBytes += e.envelope.payload().length;
    }

    /** One stored message; mutable, guarded by the queue's lock. */
    private static final class Entry {
        final Envelope envelope;
        final long seq;
        final long deliverAt;
        long dueAt;
        int attempts;
        long token;
        long leaseUntil;

        Entry(Envelope envelope, long seq, long deliverAt) {
            this.envelope = envelope;
            this.seq = seq;
            this.deliverAt = deliverAt;
        }
    }
}
