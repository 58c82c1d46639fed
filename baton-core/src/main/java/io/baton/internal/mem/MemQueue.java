package io.baton.internal.mem;

import io.baton.BatonClosedException;
import io.baton.QueueFullException;
import io.baton.QueueOptions;
import io.baton.QueueStats;
import io.baton.spi.Delivery;
import io.baton.spi.Envelope;
import io.baton.internal.CoarseClock;
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
 * One in-memory queue.
 *
 * <p><b>Intake.</b> Senders do not take the lock: each reserves room in the atomic
 * running totals and pushes its entry onto a lock-free multi-producer intake list,
 * both with one compare-and-set. Whoever next holds the lock <i>absorbs</i> the
 * intake in send order: assigns sequence numbers, applies dedupe, key ownership and delays, and
 * appends to {@code fresh}. Only a sender that finds the queue full takes the lock (to block,
 * reject or drop the oldest), and a sender wakes receivers only when one is parked.
 *
 * <p><b>State under the lock.</b> A stored message is in exactly one place: the intake,
 * {@code fresh} (ready, in send order), {@code returned} (ready again after a nack, release,
 * expiry or delay; by sequence, so it goes out before younger messages), {@code delayed} (by due
 * time), {@code parked} (behind an earlier message of its key) or in flight (leased). A key is
 * <i>owned</i> by at most one of its messages outside {@code parked}; when that one is acked or
 * dropped the next parked message of the key becomes the owner: key order with parallelism across
 * keys.
 *
 * <p><b>In flight.</b> Each {@link #receive} leases its batch as one {@link Lease}; a delivery's
 * token is the lease id and the index in it, so acks find their entry without a map per message.
 * A token names one attempt: a redelivered entry gets a new token and old ones no longer match.
 *
 * <p><b>Timers</b> (due delays, expired leases) are handled by whoever takes the lock next in
 * {@link #receive}; waiting receivers bound their wait by the next timer, so no thread is needed.
 */
public final class MemQueue implements QueueChannel {
    static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final long LEASE_SCAN_MILLIS = 20;
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 1_000 : 0;
    private static final int INDEX_BITS = 12;
    private static final int MAX_BATCH = 1 << INDEX_BITS;

    private final String name;
    private final QueueOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final Condition space = lock.newCondition();

    // intake (lock-free for senders); the consumer end is only touched under the lock
    private final PaddedReference<Entry> intakeTail;
    /** Messages and bytes receivers took out of waiting (under the lock); waiting = appended - given. */
    private final PaddedCounter given = new PaddedCounter();
    private volatile int waitingReceivers;
    private volatile boolean closed;

    // guarded by lock
    private final ArrayDeque<Entry> fresh = new ArrayDeque<>();
    private final PriorityQueue<Entry> returned = new PriorityQueue<>(Comparator.comparingLong(e -> e.seq));
    private final PriorityQueue<Entry> delayed = new PriorityQueue<>(
            Comparator.<Entry>comparingLong(e -> e.dueAt).thenComparingLong(e -> e.seq));
    private final Map<String, ArrayDeque<Entry>> parked = new HashMap<>();
    private final Map<String, Entry> keyOwners = new HashMap<>();
    private final LongMap<Lease> leases = new LongMap<>();
    private final LinkedHashMap<String, Long> seenIds = new LinkedHashMap<>();
    /** What receivers change on every trip, kept off the lines senders read (see {@link ReceiverState}). */
    private final ReceiverState state;

    /**
     * What a durable backend records about a queue's messages. Called under the queue's lock, so
     * implementations must not block (a log append that returns a future is fine). Sends are
     * recorded by the backend itself, before {@link #append}.
     */
    public interface Journal {
        /** Leased to a consumer, as attempt number {@code attempts}: a crash afterwards must not reset the count. */
        void delivered(long seq, int attempts);

        void acked(long seq);

        /** Back to waiting after a nack, or a lease that expired: attempts so far, due again at (epoch ms, 0 = now). */
        void returned(long seq, int attempts, long dueAt);

        /** Dropped by {@link io.baton.Overflow#DROP_OLDEST}, or a duplicate within the dedupe window. */
        void discarded(long seq);

        Journal NONE = new Journal() {
            @Override public void delivered(long seq, int attempts) {}
            @Override public void acked(long seq) {}
            @Override public void returned(long seq, int attempts, long dueAt) {}
            @Override public void discarded(long seq) {}
        };
    }

    private final Journal journal;

    MemQueue(String name, QueueOptions options) {
        this(name, options, Journal.NONE);
    }

    /** A queue whose changes a durable backend records through {@code journal}. */
    public MemQueue(String name, QueueOptions options, Journal journal) {
        this.journal = journal;
        this.name = name;
        this.options = options;
        Entry stub = new Entry(null, 0);
        this.intakeTail = new PaddedReference<>(stub);
        this.state = new ReceiverState(stub);
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
        ensureOpen();
        Entry e = new Entry(envelope, deliverAtMillis);
        e.seq = externalSeq;
        push(e);
    }

    /**
     * Stores a message a durable backend has already recorded under {@code seq}, with the attempts
     * it already had; past the bounds if need be (the backend checked them before recording, and a
     * recorded message must not be lost). Used for live sends and to rebuild a queue on reopen.
     */
    public void appendRecorded(Envelope envelope, long deliverAtMillis, long seq, int attempts) {
        ensureOpen();
        Entry e = new Entry(envelope, deliverAtMillis);
        e.seq = seq;
        e.attempts = attempts;
        if (!tryPush(e, false)) throw new IllegalStateException("unbounded push failed");
        if (waitingReceivers > 0) wakeReceiver();
    }

    /**
     * Waits, rejects or drops the oldest, per the overflow policy, until one more message of
     * {@code size} bytes fits; a durable backend calls it before recording a send.
     *
     * @throws QueueFullException if the policy refuses
     */
    public void awaitRoom(int size) {
        ensureOpen();
        if (hasRoom(size)) return;
        lock.lock();
        try {
            absorb();
            overflowUntil(() -> hasRoom(size));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies the overflow policy until {@code fits} holds: reject, drop the oldest, or wait for
     * space up to the block timeout. Called with the lock held.
     *
     * @throws QueueFullException if the policy refuses, or the wait is interrupted
     */
    private void overflowUntil(java.util.function.BooleanSupplier fits) {
        long blockNanos = options.blockTimeout().toNanos();
        while (!fits.getAsBoolean()) {
            ensureOpen();
            switch (options.overflow()) {
                case REJECT -> throw full();
                case DROP_OLDEST -> {
                    absorb(); // a lock-free sender may have taken the room: its entry is now droppable
                    if (!dropOldest() && intakeTail.get() == state.intakeHead) throw full();
                }
                case BLOCK -> {
                    if (blockNanos <= 0) throw full();
                    state.waitingSenders++;
                    try {
                        blockNanos = space.awaitNanos(blockNanos);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new QueueFullException("interrupted while waiting for space in queue '" + name + "'");
                    } finally {
                        state.waitingSenders--;
                    }
                }
            }
        }
    }

    /**
     * Remembers a sender-given id sent at {@code sentAt} whose message is gone (acked), so that the
     * dedupe window holds for a queue rebuilt from its log.
     */
    public void rememberId(String id, long sentAt) {
        lock.lock();
        try {
            long expires = sentAt + options.dedupeWindow().toMillis();
            if (expires > CoarseClock.millis()) seenIds.put(id, expires);
        } finally {
            lock.unlock();
        }
    }

    private boolean hasRoom(int size) {
        Entry tail = intakeTail.get();
        long waiting = tail.appendedCount + 1 - given.count();
        return waiting <= options.maxLength() && (waiting <= 1 || tail.appendedBytes + size - given.bytes() <= options.maxBytes());
    }

    private void push(Entry e) {
        if (tryPush(e, true)) {
            if (waitingReceivers > 0) wakeReceiver();
        } else {
            appendWhenFull(e);
        }
    }

    /**
     * The producer end of the intake, a multi-producer linked list, and the bound check in one
     * compare-and-set: each entry carries the running totals of messages and bytes ever appended,
     * so that what waits is the tail's totals minus what receivers took ({@code given}).
     *
     * @return false, having changed nothing, if the message would pass a bound
     */
    private boolean tryPush(Entry e, boolean bounded) {
        int size = e.envelope.payload().length;
        while (true) {
            Entry tail = intakeTail.get();
            long count = tail.appendedCount + 1;
            long bytes = tail.appendedBytes + size;
            long waiting = count - given.count();
            if (bounded && (waiting > options.maxLength() || (waiting > 1 && bytes - given.bytes() > options.maxBytes()))) return false;
            e.appendedCount = count;
            e.appendedBytes = bytes;
            if (intakeTail.compareAndSet(tail, e)) {
                tail.next = e;
                return true;
            }
        }
    }

    private void wakeReceiver() {
        lock.lock();
        try {
            available.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The overflow path: under the lock, block, reject or drop the oldest. */
    private void appendWhenFull(Entry e) {
        lock.lock();
        try {
            absorb();
            String id = e.envelope.id();
            if (id != null && isDuplicate(id, e.envelope.timestamp())) {
                state.duplicates++; // a retried send of a stored message is not refused for want of room
                return;
            }
            overflowUntil(() -> tryPush(e, true));
            available.signal();
        } finally {
            lock.unlock();
        }
    }

    private QueueFullException full() {
        state.rejected++;
        return new QueueFullException("queue '" + name + "' is full (" + waitingCount() + " messages, " + (intakeTail.get().appendedBytes - given.bytes())
                + " bytes waiting; limits " + options.maxLength() + " messages, " + options.maxBytes() + " bytes; overflow "
                + options.overflow() + ")");
    }

    /** Moves everything in the intake into place, in send order. Called with the lock held. */
    private void absorb() {
        Entry head = state.intakeHead;
        long now = 0;
        while (true) {
            Entry next = head.next;
            // Not reading the tail here keeps its line with the senders. An entry whose sender won the
            // tail but has not linked it yet is absorbed next time (receive sees it at the tail).
            if (next == null) break;
            head.next = null;
            head = next;
            if (now == 0 && next.deliverAt > 0) now = CoarseClock.millis();
            place(next, now);
        }
        state.intakeHead = head; // the last absorbed entry stays as the list's stub
    }

    private void place(Entry e, long now) {
        if (e.seq == 0) e.seq = state.nextSeq++;
        String id = e.envelope.id();
        if (id != null && !options.dedupeWindow().isZero()) {
            // the window runs on send timestamps, so a queue rebuilt from its log dedupes the same way
            long sentAt = e.envelope.timestamp();
            if (isDuplicate(id, sentAt)) {
                state.duplicates++;
                leaveWaiting(e);
                journal.discarded(e.seq);
                return;
            }
            seenIds.put(id, sentAt + options.dedupeWindow().toMillis());
        }
        state.sent++;
        String key = e.envelope.key();
        if (key != null) {
            if (keyOwners.containsKey(key)) {
                parked.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(e);
                return;
            }
            keyOwners.put(key, e);
        }
        if (e.deliverAt > now && e.deliverAt > 0) {
            e.dueAt = e.deliverAt;
            delayed.add(e);
        } else {
            fresh.addLast(e);
        }
    }

    private boolean isDuplicate(String id, long now) {
        Iterator<Map.Entry<String, Long>> it = seenIds.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() > now) break;
            it.remove(); // insertion order is expiry order: the window is fixed
        }
        Long expires = seenIds.get(id);
        return expires != null && expires > now; // insertion order is only roughly expiry order
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
        state.dropped++;
        journal.discarded(victim.seq);
        return true;
    }

    @Override
    public List<Delivery> receive(int max, Duration wait, Duration lease) throws InterruptedException {
        return ackAndReceive(null, 0, max, wait, lease);
    }

    @Override
    public List<Delivery> ackAndReceive(long[] tokens, int count, int max, Duration wait, Duration lease)
            throws InterruptedException {
        if (max < 1) throw new IllegalArgumentException("max must be at least 1: " + max);
        long deadline = 0; // set on the first wait: the clock costs tens of ns
        boolean spun = SPINS == 0 || wait.isZero();
        lock.lock(); // held briefly by anyone; the wait below is the interruptible part
        try {
            for (int i = 0; i < count; i++) settle(tokens[i]);
            while (true) {
                ensureOpen();
                absorb();
                long now = CoarseClock.millis();
                long nextTimer = processTimers(now);
                if (!fresh.isEmpty() || !returned.isEmpty()) return take(Math.min(max, MAX_BATCH), now + lease.toMillis());
                if (!spun) {
                    // A hand-off arriving within microseconds then costs no park and unpark.
                    spun = true;
                    lock.unlock();
                    try {
                        // watch the link a sender writes once, not the tail every sender contends on
                        Entry last = state.intakeHead;
                        for (int i = 0; i < SPINS && last.next == null && !closed; i++) Thread.onSpinWait();
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                long remaining;
                if (deadline == 0) {
                    remaining = wait.toNanos();
                    deadline = System.nanoTime() + remaining;
                } else {
                    remaining = deadline - System.nanoTime();
                }
                if (remaining <= 0) return List.of();
                if (nextTimer > 0) remaining = Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(Math.max(1, nextTimer - now)));
                waitingReceivers++; // before looking at the intake again: a sender either sees us or we see it
                try {
                    if (intakeTail.get() == state.intakeHead) available.awaitNanos(remaining);
                } finally {
                    waitingReceivers--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private List<Delivery> take(int max, long leaseUntil) {
        int n = Math.min(max, fresh.size() + returned.size());
        Lease lease = new Lease(state.nextLease++, n);
        List<Delivery> out = new ArrayList<>(n);
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            Entry f = fresh.peekFirst();
            Entry r = returned.peek();
            Entry e = (r == null || (f != null && f.seq < r.seq)) ? fresh.pollFirst() : returned.poll();
            bytes += e.envelope.payload().length;
            e.attempts++;
            if (e.attempts > 1) state.redelivered++;
            e.token = (lease.id << INDEX_BITS) | i;
            e.leaseUntil = leaseUntil;
            lease.entries[i] = e;
            if (journal != Journal.NONE) journal.delivered(e.seq, e.attempts);
            out.add(new Delivery(e.envelope, e.token, e.attempts, e.seq));
        }
        lease.open = n;
        leases.put(lease.id, lease);
        state.inFlight += n;
        given.add(n, bytes);
        if (state.waitingSenders > 0) space.signalAll();
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
        if (state.inFlight > 0) {
            if (now - state.lastLeaseScan >= LEASE_SCAN_MILLIS) {
                state.lastLeaseScan = now;
                int before = state.inFlight;
                leases.removeIf(l -> expire(l, now), l -> {
                    if (l == state.lastLease) state.lastLease = null;
                });
                moved |= state.inFlight != before;
            }
            if (state.inFlight > 0) {
                long scan = state.lastLeaseScan + LEASE_SCAN_MILLIS;
                next = next == 0 ? scan : Math.min(next, scan);
            }
        }
        if (moved) signalReceiver();
        return next;
    }

    /** Returns the lease's expired entries to ready; true when the lease has none left. */
    private boolean expire(Lease lease, long now) {
        for (int i = 0; i < lease.entries.length; i++) {
            Entry e = lease.entries[i];
            if (e != null && e.leaseUntil <= now) {
                lease.entries[i] = null;
                lease.open--;
                state.inFlight--;
                e.token = 0;
                enterWaiting(e);
                returned.add(e);
                journal.returned(e.seq, e.attempts, 0);
            }
        }
        return lease.open == 0;
    }

    /** Removes the entry {@code token} names from its lease; null if the token is stale. */
    private Entry takeBack(long token) {
        Lease lease = lease(token >>> INDEX_BITS);
        if (lease == null) return null;
        int index = (int) (token & (MAX_BATCH - 1));
        if (index >= lease.entries.length) return null;
        Entry e = lease.entries[index];
        if (e == null || e.token != token) return null;
        lease.entries[index] = null;
        if (--lease.open == 0) {
            leases.remove(lease.id);
            state.lastLease = null;
        }
        state.inFlight--;
        e.token = 0;
        return e;
    }

    /** The lease with this id; the last one looked up is remembered, as a batch's acks come together. */
    private Lease lease(long id) {
        Lease last = state.lastLease;
        if (last != null && last.id == id) return last;
        Lease found = leases.get(id);
        if (found != null) state.lastLease = found;
        return found;
    }

    private Entry leased(long token) {
        Lease lease = lease(token >>> INDEX_BITS);
        if (lease == null) return null;
        int index = (int) (token & (MAX_BATCH - 1));
        if (index >= lease.entries.length) return null;
        Entry e = lease.entries[index];
        return e != null && e.token == token ? e : null;
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
        Entry e = takeBack(token);
        if (e == null) return;
        state.acked++;
        journal.acked(e.seq);
        releaseKey(e);
    }

    @Override
    public void nack(long token, Duration delay) {
        lock.lock();
        try {
            Entry e = takeBack(token);
            if (e == null) return;
            enterWaiting(e);
            if (delay.isZero() || delay.isNegative()) {
                returned.add(e);
                journal.returned(e.seq, e.attempts, 0);
            } else {
                e.dueAt = CoarseClock.millis() + delay.toMillis();
                delayed.add(e);
                journal.returned(e.seq, e.attempts, e.dueAt);
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
            Entry e = takeBack(token);
            if (e == null) return;
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
            Entry e = leased(token);
            if (e == null) return false;
            e.leaseUntil = CoarseClock.millis() + lease.toMillis();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public QueueStats stats() {
        lock.lock();
        try {
            absorb();
            return new QueueStats(waitingCount(), state.inFlight, state.sent, state.acked, state.redelivered, state.dropped, state.rejected, state.duplicates);
        } finally {
            lock.unlock();
        }
    }

    /** Closes the queue: blocked receives and sends fail with {@link BatonClosedException}. */
    public void close() {
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
        if (next.deliverAt > 0 && next.deliverAt > CoarseClock.millis()) {
            next.dueAt = next.deliverAt;
            delayed.add(next);
        } else {
            returned.add(next);
            signalReceiver();
        }
    }

    private long waitingCount() {
        return intakeTail.get().appendedCount - given.count();
    }

    private void leaveWaiting(Entry e) {
        given.add(1, e.envelope.payload().length);
        if (state.waitingSenders > 0) space.signalAll();
    }

    private void enterWaiting(Entry e) {
        given.add(-1, -e.envelope.payload().length);
    }

    /**
     * The receivers' bookkeeping, written on every trip under the lock. A separate, padded object,
     * so that senders, who read the queue's other fields on every send, never miss on its lines.
     */
    private static final class ReceiverState {
        @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07, p08;
        volatile Entry intakeHead; // read without the lock by spinning receivers
        int inFlight;
        Lease lastLease;
        int waitingSenders;
        long nextSeq = 1;
        long nextLease = 1;
        long lastLeaseScan;
        long sent, acked, redelivered, dropped, rejected, duplicates;
        @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17, p18;

        ReceiverState(Entry stub) {
            intakeHead = stub;
        }
    }

    /** One receive's deliveries; an entry leaves it when acked, nacked, released or expired. */
    private static final class Lease {
        final long id;
        final Entry[] entries;
        int open;

        Lease(long id, int size) {
            this.id = id;
            this.entries = new Entry[size];
        }
    }

    /** One stored message; mutable, guarded by the queue's lock except {@link #next}. */
    private static final class Entry {
        final Envelope envelope;
        final long deliverAt;
        volatile Entry next; // intake link
        long appendedCount; // running totals up to this entry, set before it is published
        long appendedBytes;
        long seq;
        long dueAt;
        int attempts;
        long token;
        long leaseUntil;

        Entry(Envelope envelope, long deliverAt) {
            this.envelope = envelope;
            this.deliverAt = deliverAt;
        }
    }
}
