package io.baton.nats;

import io.baton.BatonClosedException;
import io.baton.BatonException;
import io.baton.spi.Delivery;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deliveries from one durable JetStream pull consumer with explicit acks: a queue's, or a durable
 * subscription's. Every member of a Baton consumer group, in any process, pulls from the same
 * JetStream consumer, so JetStream shares the messages out.
 *
 * <p><b>Receiving.</b> A {@link #receive} takes first what an earlier request of its pull
 * subscription brought. With nothing there it makes a request that stays open on the server until
 * it has brought {@code max} messages or expires (a little before the caller stops waiting), and
 * returns with the first message and whatever came with it. A receive of more than one message is
 * a consumer's loop: it keeps a request open after it returns, topped up when half of it has come,
 * so that a message sent while the handlers run is on its way before the next receive asks (about
 * {@code max} ahead, twice that while an ending request overlaps the next, as jnats's own consumer
 * prefetches). What a subscription may have held for half of JetStream's ack wait is naked back
 * rather than leased, before JetStream gives it to someone else. A receive of one message
 * prefetches nothing. Pull subscriptions are pooled and outlive their last request by a grace
 * period, so a message the server sends late is taken by the next receive, or naked back (and not
 * counted as an attempt here), never lost in a closed subscription.
 *
 * <p><b>Leases.</b> JetStream's ack wait is one per consumer, but Baton leases each delivery for its
 * own time: this class keeps the lease. One timer per source, set for the earliest lease that
 * needs it, naks a delivery whose lease ran out (JetStream redelivers it at once, counting the
 * attempt) and renews JetStream's ack wait with {@code inProgress} while a lease is longer than it;
 * {@link #extend} does both. Leases of one length end in the order they began, so a new lease
 * seldom moves the timer: a delivery costs no timer operation. The consumer's ack wait
 * ({@code ackWaitSeconds}) is then only the lease of deliveries whose process vanished.
 *
 * <p><b>Attempts</b> are JetStream's delivery count. A {@link #release} cannot un-count one on the
 * server; this source remembers how often it released a message and subtracts that when the
 * message comes back to it. Another process that takes a released message sees the release as
 * an attempt.
 *
 * <p>Tokens map to the jnats {@link Message} of their delivery; a token whose lease ended (acked,
 * nacked, released or expired) is gone from the map, so a late ack or extend of it does nothing.
 */
class JetStreamSource implements DeliverySource {
    private static final Logger log = LoggerFactory.getLogger(JetStreamSource.class);
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DRAIN_POLL = Duration.ofMillis(5);
    private static final int MAX_REMEMBERED_RELEASES = 100_000;
    /** How long after its pull request's expiry an idle subscription is kept for late messages. */
    private static final Duration SWEEP_GRACE = Duration.ofSeconds(2);
    /** A lease timer set at most this much later than a new lease needs is left as it is. */
    private static final long TIMER_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** A lease the timer could not keep is looked at again this much later. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    protected final NatsBackend backend;
    private final String name;
    private final String stream;
    private final String consumer;
    private final Function<Message, String> subjectOf;
    private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
    /** Deliveries JetStream counted that were no attempt, by stream sequence: the JetStream consumer's, on this connection. */
    private final Map<Long, Integer> releases;
    private final AtomicLong tokens = new AtomicLong();
    private final ConcurrentLinkedDeque<Puller> pullers;
    private final Object leaseTimerLock = new Object();
    private ScheduledFuture<?> leaseTimer; // guarded by leaseTimerLock
    private long leaseTimerDueNanos;
    protected final AtomicLong acked = new AtomicLong();
    protected final AtomicLong redelivered = new AtomicLong();

    JetStreamSource(NatsBackend backend, String name, String stream, String consumer, Function<Message, String> subjectOf) {
        this.backend = backend;
        this.name = name;
        this.stream = stream;
        this.consumer = consumer;
        this.subjectOf = subjectOf;
        this.pullers = backend.pullersOf(stream, consumer);
        this.releases = backend.releasesOf(stream, consumer);
    }

    @Override
    public String name() {
        return name;
    }

    String stream() { return stream; }

    String consumer() { return consumer; }

    @Override
    public List<Delivery> receive(int max, Duration wait, Duration lease) throws InterruptedException {
        backend.ensureOpen();
        int batch = Math.max(1, max);
        long waitMillis = Math.max(0, wait.toMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        long expires = expiry(waitMillis);
        Puller puller = borrow();
        JetStreamSubscription sub = puller.sub;
        List<Delivery> out = new ArrayList<>(Math.min(batch, 64));
        try {
            take(puller, out, batch, lease); // what came for an earlier request goes first
            if (out.isEmpty()) {
                boolean asked = !puller.isOpen();
                if (asked) puller.request(batch, expires);
                Message first = sub.nextMessage(Duration.ofMillis(Math.max(1, waitMillis)));
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (first == null && !asked && leftMillis > 0) {
                    // the request this relied on was an earlier receive's, and ended first: one of its own
                    puller.request(batch, expiry(leftMillis));
                    first = sub.nextMessage(Duration.ofMillis(leftMillis));
                }
                if (first == null) return out;
                puller.took();
                out.add(lease(first, lease));
                take(puller, out, batch, lease);
            }
            if (batch > 1 && expires > 0) puller.topUp(batch, expires);
            return out;
        } catch (InterruptedException e) {
            for (Delivery d : out) release(d.token()); // a consumer that stops gives back what it took
            throw e;
        } catch (IllegalStateException e) { // jnats's status exceptions included
            for (Delivery d : out) release(d.token()); // taken, not handed out: back at once
            if (backend.isClosed()) throw closed();
            throw new BatonException("receiving from '" + name + "' failed: " + e.getMessage(), e);
        } finally {
            giveBack(puller);
            if (out.isEmpty() && backend.isClosed()) throw closed();
        }
    }

    /** The server's expiry of a request for a wait of {@code waitMillis}: before ours, so that what it sends in time arrives in time. */
    private static long expiry(long waitMillis) {
        return waitMillis - Math.clamp(waitMillis / 10, 20, 100);
    }

    /**
     * Leases what the subscription already holds, up to {@code batch} in all. What it may have held
     * for half of JetStream's ack wait (a slow consumer taking a big prefetch one by one) goes back
     * instead: JetStream may soon redeliver it elsewhere, and a lease now would make a duplicate.
     */
    private void take(Puller puller, List<Delivery> out, int batch, Duration lease) throws InterruptedException {
        if (System.nanoTime() - puller.emptiedAtNanos > backend.settings().ackWait().toNanos() / 2) {
            for (Message m; (m = puller.sub.nextMessage((Duration) null)) != null; ) {
                puller.took();
                giveUp(m);
            }
            puller.emptiedAtNanos = System.nanoTime();
        }
        while (out.size() < batch) {
            Message m = puller.sub.nextMessage((Duration) null);
            if (m == null) {
                puller.emptiedAtNanos = System.nanoTime();
                return;
            }
            puller.took();
            out.add(lease(m, lease));
        }
    }

    /**
     * A pull subscription and the request it has open. It stays subscribed while that request may
     * be open on the server, so that a message the server sends late is not lost in a closed
     * subscription: the next receive from the same JetStream consumer on this connection takes it
     * (in order: a group member opened after another closed gets what was sent to the one that
     * closed), or, if none comes, the subscription is swept (late messages naked, back to JetStream
     * at once) after the request surely ended. Used by one receive at a time.
     */
    static final class Puller {
        final JetStreamSubscription sub;
        /** When the requests made so far end on the server. */
        private long openUntilNanos;
        /** How many more messages they may bring (what came and was not taken yet counts as coming). */
        private int coming;
        /** Not swept before then; read by the sweeping timer. */
        volatile long sweepAfterNanos;
        /** When the subscription last held nothing: what it holds now came after. */
        long emptiedAtNanos = System.nanoTime();
        final AtomicBoolean sweepScheduled = new AtomicBoolean();

        Puller(JetStreamSubscription sub) {
            this.sub = sub;
        }

        boolean isOpen() {
            return coming > 0 && System.nanoTime() < openUntilNanos;
        }

        /** Asks for {@code batch} messages: the request stays open until they came or it expires. */
        void request(int batch, long expiresMillis) {
            if (expiresMillis > 0) {
                sub.pullExpiresIn(batch, expiresMillis);
                openUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(expiresMillis);
                coming = batch;
            } else {
                sub.pullNoWait(batch); // answered at once with what is there; nothing stays open
                openUntilNanos = System.nanoTime();
                coming = 0;
            }
        }

        /** Keeps about {@code batch} messages asked for: a new request when half of them came or the open one ends soon. */
        void topUp(int batch, long expiresMillis) {
            long now = System.nanoTime();
            boolean endingSoon = openUntilNanos - now < TimeUnit.MILLISECONDS.toNanos(expiresMillis) / 4;
            int still = endingSoon ? 0 : coming;
            if (still * 2 > batch) return;
            sub.pullExpiresIn(batch - still, expiresMillis);
            openUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(expiresMillis);
            coming = batch;
        }

        void took() {
            if (coming > 0) coming--;
        }
    }

    private Puller borrow() {
        Puller puller = pullers.pollFirst();
        if (puller != null) return puller;
        try {
            return new Puller(backend.jetStream().subscribe(null, PullSubscribeOptions.fastBind(stream, consumer)));
        } catch (IOException | JetStreamApiException | IllegalStateException e) {
            if (backend.isClosed()) throw closed();
            throw new BatonException("cannot pull from '" + name + "' (stream " + stream + "): " + e.getMessage(), e);
        }
    }

    private void giveBack(Puller puller) {
        if (backend.isClosed()) {
            sweep(puller, false); // no drain: the connection may be closing under it
            return;
        }
        long now = System.nanoTime();
        puller.sweepAfterNanos = Math.max(now, puller.openUntilNanos) + SWEEP_GRACE.toNanos();
        pullers.addFirst(puller); // most recently used first: one consumer keeps reusing one subscription
        if (puller.sweepScheduled.compareAndSet(false, true)) scheduleSweep(puller, puller.sweepAfterNanos - now);
    }

    /** One timer per pooled subscription, moved on rather than re-armed at each use. */
    private void scheduleSweep(Puller puller, long delayNanos) {
        try {
            backend.timers().schedule(() -> sweepIfIdle(puller), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            puller.sweepScheduled.set(false);
            if (pullers.remove(puller)) sweep(puller, false); // closing
        }
    }

    private void sweepIfIdle(Puller puller) {
        long left = puller.sweepAfterNanos - System.nanoTime();
        if (left > 0) {
            scheduleSweep(puller, left); // used since: look again when it may be idle
            return;
        }
        if (pullers.remove(puller)) {
            if (puller.sweepAfterNanos - System.nanoTime() <= 0) {
                puller.sweepScheduled.set(false);
                // a drain waits for a round trip: not on the timer thread, which keeps the leases
                Thread.ofVirtual().name("baton-nats-sweep").start(() -> sweep(puller, true));
                return;
            }
            pullers.addFirst(puller); // given back again just now
            scheduleSweep(puller, puller.sweepAfterNanos - System.nanoTime());
            return;
        }
        // in use: its give-back schedules the next look, unless that came between these two lines
        puller.sweepScheduled.set(false);
        if (pullers.contains(puller) && puller.sweepScheduled.compareAndSet(false, true)) {
            scheduleSweep(puller, puller.sweepAfterNanos - System.nanoTime());
        }
    }

    /**
     * Ends a subscription nobody uses: what reached it goes back to JetStream, in order. It is
     * drained, not just dropped: the server stops sending to it (and drops its open requests) once
     * it has the unsubscribe, and what it sent before still arrives here to be naked.
     */
    private void sweep(Puller puller, boolean drain) {
        JetStreamSubscription sub = puller.sub;
        boolean interrupted = Thread.interrupted(); // a stopping consumer's interrupt must not cut the drain short
        try {
            if (drain && backend.connection().getStatus() == Connection.Status.CONNECTED) {
                CompletableFuture<Boolean> drained = sub.drain(FLUSH_TIMEOUT);
                while (!drained.isDone()) {
                    Message m = sub.nextMessage(DRAIN_POLL);
                    if (m != null) giveUp(m);
                }
            }
            for (Message m; (m = sub.nextMessage((Duration) null)) != null; ) giveUp(m);
        } catch (InterruptedException | RuntimeException e) { // the connection closing under it, at worst
            log.debug("sweeping a pull subscription of '{}'", name, e);
        }
        try {
            sub.unsubscribe();
        } catch (RuntimeException e) {
            // drained, or closed with the connection
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Naks a message that came for a request but was never handed out: no attempt. */
    private void giveUp(Message m) {
        remember(m.metaData().streamSequence());
        m.nak();
    }

    /** A consumer stopped: the requests it left open end now, and what they brought goes back. */
    @Override
    public void consumerStopped() {
        for (Puller p; (p = pullers.pollFirst()) != null; ) sweep(p, true);
    }

    private Delivery lease(Message m, Duration lease) {
        NatsJetStreamMetaData meta = m.metaData();
        long seq = meta.streamSequence();
        int attempt = (int) Math.max(1, meta.deliveredCount() - releases.getOrDefault(seq, 0));
        if (attempt > 1) redelivered.incrementAndGet();
        long token = tokens.incrementAndGet();
        Lease l = new Lease(token, m, seq);
        long due = l.renew(lease); // before the timer can see it
        leases.put(token, l);
        watch(due);
        Envelope envelope = NatsHeaders.toEnvelope(subjectOf.apply(m), m.getHeaders(), m.getData(), meta.timestamp().toInstant().toEpochMilli());
        return new Delivery(envelope, token, attempt, seq);
    }

    @Override
    public void ack(long token) {
        Lease l = leases.remove(token);
        if (l == null) return;
        l.message.ack();
        releases.remove(l.sequence);
        acked.incrementAndGet();
    }

    @Override
    public void nack(long token, Duration delay) {
        Lease l = leases.remove(token);
        if (l == null) return;
        if (delay.isZero() || delay.isNegative()) l.message.nak();
        else l.message.nakWithDelay(delay);
    }

    @Override
    public void release(long token) {
        Lease l = leases.remove(token);
        if (l == null) return;
        remember(l.sequence);
        l.message.nak();
    }

    /** A delivery of {@code sequence} that JetStream counted but that was no attempt. */
    private void remember(long sequence) {
        // entries of messages acked elsewhere are never removed here: past the bound, start again
        // (what was forgotten counts one attempt more, as in another process)
        if (releases.size() >= MAX_REMEMBERED_RELEASES) releases.clear();
        releases.merge(sequence, 1, Integer::sum);
    }

    @Override
    public boolean extend(long token, Duration lease) {
        Lease l = leases.get(token);
        if (l == null) return false;
        long due = l.renew(lease);
        if (due == 0) return false; // ran out just now: the timer naks it
        watch(due);
        l.message.inProgress();
        return leases.get(token) == l;
    }

    /** Closing the backend: what this connection holds goes back to JetStream now, counted as an attempt. */
    void returnAll() {
        for (Puller p; (p = pullers.pollFirst()) != null; ) sweep(p, true);
        for (Lease l : leases.values()) {
            if (leases.remove(l.token, l)) l.message.nak();
        }
    }

    private static BatonClosedException closed() {
        return new BatonClosedException("the nats: backend is closed");
    }

    /** Makes sure the lease timer looks at the leases by {@code dueNanos}. */
    private void watch(long dueNanos) {
        synchronized (leaseTimerLock) {
            if (leaseTimer != null && leaseTimerDueNanos - dueNanos <= TIMER_SLACK_NANOS) return;
            if (leaseTimer != null) leaseTimer.cancel(false);
            leaseTimerDueNanos = dueNanos;
            try {
                leaseTimer = backend.timers().schedule(this::checkLeases, Math.max(0, dueNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                leaseTimer = null; // closing: returnAll gives the leases back
            }
        }
    }

    /** The lease timer: naks what ran out, keeps JetStream waiting for long leases, and sets itself for the next. */
    private void checkLeases() {
        synchronized (leaseTimerLock) {
            leaseTimer = null;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        try {
            for (Lease l : leases.values()) {
                try {
                    long due = l.check(now);
                    if (due == 0) {
                        if (leases.remove(l.token, l)) l.message.nak(); // expired: available again at once
                    } else {
                        next = Math.min(next, due);
                    }
                } catch (RuntimeException e) { // the connection closing, at worst: the other leases go on
                    log.debug("lease of a delivery from '{}' not kept", name, e);
                    next = Math.min(next, now + RETRY_NANOS);
                }
            }
        } finally {
            if (next != Long.MAX_VALUE && !backend.isClosed()) watch(next);
        }
    }

    /** One delivery's lease, and when JetStream's ack wait for it needs renewing. */
    private final class Lease {
        final long token;
        final Message message;
        final long sequence;
        private long deadlineNanos;
        private long keepAliveNanos;
        private boolean expired;

        Lease(long token, Message message, long sequence) {
            this.token = token;
            this.message = message;
            this.sequence = sequence;
        }

        /** Starts the lease again for {@code lease}; returns when the timer must next look at it, 0 if it already ran out. */
        synchronized long renew(Duration lease) {
            if (expired) return 0;
            long now = System.nanoTime();
            deadlineNanos = now + Math.max(1, lease.toNanos());
            keepAliveNanos = now + backend.settings().ackWait().toNanos() / 3;
            return Math.min(deadlineNanos, keepAliveNanos);
        }

        /** 0 if the lease ran out; otherwise renews JetStream's ack wait if due, and returns when to look next. */
        synchronized long check(long now) {
            if (now - deadlineNanos >= 0) {
                expired = true;
                return 0;
            }
            if (now - keepAliveNanos >= 0) { // a long lease: keep JetStream from redelivering
                message.inProgress();
                keepAliveNanos = now + backend.settings().ackWait().toNanos() / 3;
            }
            return Math.min(deadlineNanos, keepAliveNanos);
        }
    }
}
