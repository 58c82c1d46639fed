package io.baton.nats;

import io.baton.BatonClosedException;
import io.baton.BatonException;
import io.baton.spi.Delivery;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deliveries from one durable JetStream pull consumer with explicit acks: a queue's, or a durable
 * subscription's. Every member of a Baton consumer group, in any process, pulls from the same
 * JetStream consumer, so JetStream shares the messages out.
 *
 * <p><b>Receiving.</b> Each {@link #receive} is one pull request, {@code no_wait} with an expiry:
 * the server answers at once with what is there (up to {@code max}) or with the first message to
 * arrive before the expiry; a flush (a round trip) then collects the rest of that answer. The
 * request expires on the server a little before the caller stops waiting. Pull subscriptions are
 * pooled and outlive their last request by a grace period, so a message the server sends late
 * is taken by the next receive, or naked back, never lost in a closed subscription.
 *
 * <p><b>Leases.</b> JetStream's ack wait is one per consumer, but Baton leases each delivery for its
 * own time: this class keeps the lease. A timer naks a delivery whose lease ran out (JetStream
 * redelivers it at once, counting the attempt), renews JetStream's ack wait with
 * {@code inProgress} while a lease is longer than it, and {@link #extend} does both. The consumer's
 * ack wait ({@code ackWaitSeconds}) is then only the lease of deliveries whose process vanished.
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
    private static final int MAX_REMEMBERED_RELEASES = 100_000;
    /** How long after its pull request's expiry an idle subscription is kept for late messages. */
    private static final Duration SWEEP_GRACE = Duration.ofSeconds(2);

    protected final NatsBackend backend;
    private final String name;
    private final String stream;
    private final String consumer;
    private final Function<Message, String> subjectOf;
    private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
    private final Map<Long, Integer> releases = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final ConcurrentLinkedDeque<Puller> pullers;
    protected final AtomicLong acked = new AtomicLong();
    protected final AtomicLong redelivered = new AtomicLong();

    JetStreamSource(NatsBackend backend, String name, String stream, String consumer, Function<Message, String> subjectOf) {
        this.backend = backend;
        this.name = name;
        this.stream = stream;
        this.consumer = consumer;
        this.subjectOf = subjectOf;
        this.pullers = backend.pullersOf(stream, consumer);
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
        Puller puller = borrow();
        JetStreamSubscription sub = puller.sub;
        List<Delivery> out = new ArrayList<>(Math.min(batch, 64));
        long requestEnds = System.nanoTime();
        try {
            // what came late for an earlier request on this subscription goes first
            for (Message m; out.size() < batch && (m = sub.nextMessage((Duration) null)) != null; ) out.add(lease(m, lease));
            if (!out.isEmpty()) return out;
            // the server's expiry comes before ours, so what it sends in time arrives in time
            long expires = waitMillis - Math.clamp(waitMillis / 10, 20, 100);
            if (expires > 0) sub.pullNoWait(batch, expires);
            else sub.pullNoWait(batch);
            requestEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, expires));
            Message first = sub.nextMessage(Duration.ofMillis(Math.max(1, waitMillis)));
            if (first == null) return out;
            out.add(lease(first, lease));
            if (out.size() < batch) {
                flush(); // the rest of what the server had at once is here after the round trip
                for (Message m; out.size() < batch && (m = sub.nextMessage((Duration) null)) != null; ) out.add(lease(m, lease));
            }
            return out;
        } catch (InterruptedException e) {
            for (Delivery d : out) release(d.token()); // a consumer that stops gives back what it took
            throw e;
        } catch (IllegalStateException e) {
            if (backend.isClosed()) throw closed();
            throw new BatonException("receiving from '" + name + "' failed: " + e.getMessage(), e);
        } finally {
            giveBack(puller, requestEnds);
            if (out.isEmpty() && backend.isClosed()) throw closed();
        }
    }

    /**
     * A pull subscription between receives. It stays subscribed while its last request may be open
     * on the server, so that a message the server sends late is not lost in a closed subscription:
     * the next receive from the same JetStream consumer on this connection takes it (in order: a
     * group member opened after another closed gets what was sent to the one that closed), or, if
     * none comes, the subscription is swept (late messages naked, back to JetStream at once) after
     * the request surely ended.
     */
    static final class Puller {
        final JetStreamSubscription sub;
        ScheduledFuture<?> sweep;

        Puller(JetStreamSubscription sub) {
            this.sub = sub;
        }
    }

    private Puller borrow() {
        Puller puller = pullers.pollFirst();
        if (puller != null) {
            ScheduledFuture<?> sweep = puller.sweep;
            if (sweep != null) sweep.cancel(false);
            return puller;
        }
        try {
            return new Puller(backend.jetStream().subscribe(null, PullSubscribeOptions.fastBind(stream, consumer)));
        } catch (IOException | JetStreamApiException | IllegalStateException e) {
            if (backend.isClosed()) throw closed();
            throw new BatonException("cannot pull from '" + name + "' (stream " + stream + "): " + e.getMessage(), e);
        }
    }

    private void giveBack(Puller puller, long requestEndsNanos) {
        if (backend.isClosed()) {
            sweep(puller);
            return;
        }
        pullers.addFirst(puller); // most recently used first: one consumer keeps reusing one subscription
        long delay = Math.max(0, requestEndsNanos - System.nanoTime()) + SWEEP_GRACE.toNanos();
        try {
            puller.sweep = backend.timers().schedule(() -> {
                if (pullers.remove(puller)) sweep(puller);
            }, delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (pullers.remove(puller)) sweep(puller); // closing
        }
    }

    /** Ends a subscription nobody uses: what reached it goes back to JetStream. */
    private void sweep(Puller puller) {
        try {
            if (!backend.isClosed()) flush();
            for (Message m; (m = puller.sub.nextMessage((Duration) null)) != null; ) m.nak();
        } catch (InterruptedException | IllegalStateException e) {
            log.debug("sweeping a pull subscription of '{}'", name, e);
        }
        try {
            puller.sub.unsubscribe();
        } catch (IllegalStateException e) {
            // already closed with the connection
        }
    }

    private void flush() {
        try {
            backend.connection().flush(FLUSH_TIMEOUT);
        } catch (java.util.concurrent.TimeoutException | IllegalStateException e) {
            log.debug("flush after a pull from '{}' did not complete; a late delivery comes back after the ack wait", name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Delivery lease(Message m, Duration lease) {
        NatsJetStreamMetaData meta = m.metaData();
        long seq = meta.streamSequence();
        int attempt = (int) Math.max(1, meta.deliveredCount() - releases.getOrDefault(seq, 0));
        if (attempt > 1) redelivered.incrementAndGet();
        long token = tokens.incrementAndGet();
        Lease l = new Lease(token, m, seq);
        leases.put(token, l);
        l.renew(lease);
        Envelope envelope = NatsHeaders.toEnvelope(subjectOf.apply(m), m.getHeaders(), m.getData(), meta.timestamp().toInstant().toEpochMilli());
        return new Delivery(envelope, token, attempt, seq);
    }

    @Override
    public void ack(long token) {
        Lease l = leases.remove(token);
        if (l == null) return;
        l.cancel();
        l.message.ack();
        releases.remove(l.sequence);
        acked.incrementAndGet();
    }

    @Override
    public void nack(long token, Duration delay) {
        Lease l = leases.remove(token);
        if (l == null) return;
        l.cancel();
        if (delay.isZero() || delay.isNegative()) l.message.nak();
        else l.message.nakWithDelay(delay);
    }

    @Override
    public void release(long token) {
        Lease l = leases.remove(token);
        if (l == null) return;
        l.cancel();
        if (releases.size() < MAX_REMEMBERED_RELEASES) releases.merge(l.sequence, 1, Integer::sum);
        l.message.nak();
    }

    @Override
    public boolean extend(long token, Duration lease) {
        Lease l = leases.get(token);
        if (l == null) return false;
        l.renew(lease);
        l.message.inProgress();
        return leases.get(token) == l;
    }

    /** Closing the backend: what this connection holds goes back to JetStream now, counted as an attempt. */
    void returnAll() {
        for (Puller p; (p = pullers.pollFirst()) != null; ) {
            if (p.sweep != null) p.sweep.cancel(false);
            sweep(p);
        }
        for (Lease l : leases.values()) {
            if (leases.remove(l.token, l)) {
                l.cancel();
                l.message.nak();
            }
        }
    }

    private static BatonClosedException closed() {
        return new BatonClosedException("the nats: backend is closed");
    }

    /** One delivery's lease: a timer that renews JetStream's ack wait while the lease runs, then naks. */
    private final class Lease {
        final long token;
        final Message message;
        final long sequence;
        private long deadlineNanos;
        private ScheduledFuture<?> timer;

        Lease(long token, Message message, long sequence) {
            this.token = token;
            this.message = message;
            this.sequence = sequence;
        }

        synchronized void renew(Duration lease) {
            deadlineNanos = System.nanoTime() + Math.max(1, lease.toNanos());
            schedule();
        }

        private void schedule() {
            if (timer != null) timer.cancel(false);
            long now = System.nanoTime();
            long keepAlive = backend.settings().ackWait().toNanos() / 3;
            long next = Math.min(deadlineNanos, now + keepAlive);
            timer = backend.timers().schedule(this::fire, Math.max(0, next - now), TimeUnit.NANOSECONDS);
        }

        private void fire() {
            synchronized (this) {
                if (leases.get(token) != this) return;
                if (System.nanoTime() < deadlineNanos) { // a long lease: keep JetStream from redelivering
                    message.inProgress();
                    schedule();
                    return;
                }
            }
            if (leases.remove(token, this)) message.nak(); // expired: available again at once
        }

        synchronized void cancel() {
            if (timer != null) timer.cancel(false);
        }
    }
}
