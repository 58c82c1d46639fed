package io.baton.client;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CallLane}s of one client: up to {@code max} connections, each lent to one blocking
 * call at a time, the most recently used first. A call gets none, and goes through the shared
 * connection, when it runs on a virtual thread (whose blocking socket reads are handed to the
 * JDK's poller anyway) or when none is idle. Lanes are opened in the background, one at a time,
 * when a second call found none idle (a client that calls once, as {@code baton call} does, opens
 * none): a caller never waits for a connect or a login, whatever its deadline. After a lane could
 * not be opened (a server at its connection limit, say), none is tried for a while.
 */
final class CallLanes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CallLanes.class);
    /** After a lane could not be opened, none is tried for this long at first; it doubles to a minute. */
    private static final long FIRST_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    private final String host;
    private final int port;
    private final ClientConnection.Credentials credentials;
    private final Duration connectTimeout;
    private final int max;
    private final ConcurrentLinkedDeque<CallLane> idle = new ConcurrentLinkedDeque<>();
    /** Every open lane, idle or lent: closing the client closes them all. */
    private final Set<CallLane> open = ConcurrentHashMap.newKeySet();
    /** Calls that found no lane idle since a lane was last tried, counted to 2. */
    private final AtomicInteger missed = new AtomicInteger();
    /** Whether a lane is being opened: one at a time. */
    private final AtomicBoolean opening = new AtomicBoolean();
    private long backoffMillis = FIRST_BACKOFF_MILLIS; // by the thread that holds opening
    private volatile long retryAtNanos = System.nanoTime();
    private volatile boolean closed;

    CallLanes(String host, int port, ClientConnection.Credentials credentials, Duration connectTimeout, int max) {
        this.host = host;
        this.port = port;
        this.credentials = credentials;
        this.connectTimeout = connectTimeout;
        this.max = max;
    }

    /**
     * An idle lane for this thread's call, to {@link #giveBack}; null if the call goes through the
     * shared connection (and then another lane is opened for the next calls, if one may be).
     */
    CallLane take() {
        if (max == 0 || closed || Thread.currentThread().isVirtual()) return null;
        for (CallLane lane; (lane = idle.pollFirst()) != null; ) {
            if (lane.isUsable()) return lane;
            discard(lane); // the server closed it (it restarted, say)
        }
        openOneInTheBackground();
        return null;
    }

    private void openOneInTheBackground() {
        if (missed.updateAndGet(m -> Math.min(m + 1, 2)) < 2 || open.size() >= max || System.nanoTime() - retryAtNanos < 0
                || !opening.compareAndSet(false, true)) return;
        missed.set(0);
        Thread.ofVirtual().name("baton-call-lane-open").start(() -> {
            try {
                if (open.size() >= max || closed) return;
                CallLane lane = CallLane.open(host, port, credentials, connectTimeout);
                open.add(lane);
                backoffMillis = FIRST_BACKOFF_MILLIS;
                idle.offerFirst(lane);
                if (closed) close(); // closed meanwhile: nobody else will close this one
            } catch (IOException | TimeoutException | RuntimeException e) { // a BatonException: the server refused the login
                retryAtNanos = System.nanoTime() + backoffMillis * 1_000_000;
                log.debug("could not open a connection for calls to {}:{} ({}); calls go through the shared connection for {} ms",
                        host, port, e.toString(), backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // nobody interrupts this thread; it ends
            } finally {
                opening.set(false);
            }
        });
    }

    /** Takes a lane back after its call: kept if it is still open, else forgotten. */
    void giveBack(CallLane lane) {
        if (!lane.isOpen() || closed) {
            discard(lane);
            return;
        }
        idle.offerFirst(lane);
        if (closed && idle.remove(lane)) discard(lane); // close() ran between the check and the offer
    }

    private void discard(CallLane lane) {
        lane.close();
        open.remove(lane);
    }

    /** Closes every lane: a call waiting on one fails with {@link io.baton.BatonClosedException}. */
    @Override
    public void close() {
        closed = true;
        idle.clear();
        for (CallLane lane : open) discard(lane);
    }
}
