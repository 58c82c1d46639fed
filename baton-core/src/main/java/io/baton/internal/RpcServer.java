package io.baton.internal;

import io.baton.Context;
import io.baton.Headers;
import io.baton.spi.Envelope;
import io.baton.spi.RpcChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one RPC subject: each request runs on its own virtual thread, at most
 * {@code concurrency} at once, inside a {@link Context} carrying the caller's deadline. Work whose
 * deadline has passed is not started; a caller that gives up cancels the context and interrupts
 * the handler (on backends without {@link io.baton.spi.Capability#RPC_CANCELLATION}, a timer does
 * that at the deadline). Replies and errors are encoded here, so every backend answers the same way.
 */
final class RpcServer extends Function implements RpcChannel.RequestHandler {
    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);
    /** Deadline timers for backends without cancellation; one daemon thread for the JVM. */
    private static final java.util.concurrent.ScheduledThreadPoolExecutor DEADLINES = deadlineTimers();

    private static java.util.concurrent.ScheduledThreadPoolExecutor deadlineTimers() {
        var timers = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon(true).name("baton-rpc-deadlines").unstarted(r));
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }
    static final String NULL_BODY = "baton-null";
    static final Map<String, String> NULL_HEADERS = Map.of(NULL_BODY, "1");

    /** Turns a request into a reply body; throws what the function threw. */
    @FunctionalInterface
    interface Invocation {
        Reply invoke(Envelope request) throws Exception;
    }

    /** An encoded reply: payload plus headers. */
    record Reply(byte[] payload, Map<String, String> headers) {}

    /** Thrown by an invocation for Baton's own failures (unknown operation, undecodable request). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final String kind;

        Failure(String kind, String message) {
            super(message);
            this.kind = kind;
        }
    }

    private final String subject;
    private final Invocation invocation;
    private final Semaphore permits;
    private final Duration defaultBudget;
    private final boolean deadlineTimer;
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private volatile AutoCloseable registration;

    RpcServer(FunctionRuntime runtime, String subject, int concurrency, Duration defaultBudget, boolean deadlineTimer,
              Invocation invocation) {
        super(runtime);
        this.deadlineTimer = deadlineTimer;
        this.subject = subject;
        this.invocation = invocation;
        this.permits = new Semaphore(concurrency);
        this.defaultBudget = defaultBudget;
    }

    RpcServer start(RpcChannel rpc) {
        registration = rpc.serve(subject, this);
        if (!isActive()) onStop(); // stopped while starting: undo the registration
        return this;
    }

    @Override
    public void onRequest(Envelope request, RpcChannel.Reply reply) {
        Instant deadline = Instant.now().plus(budget(request));
        if (!isActive()) {
            reply.send(error(request, "no-server", "io.baton.NoRespondersException", "server of '" + subject + "' is stopping"));
            return;
        }
        Thread.ofVirtual().name("baton-serve-" + subject).start(() -> serve(request, reply, deadline));
    }

    private Duration budget(Envelope request) {
        String header = request.headers().get(Headers.RPC_TIMEOUT_MS);
        if (header == null) return defaultBudget;
        try {
            // at most what a wire carries (32-bit milliseconds, 24 days): a longer one would overflow the deadline
            return Duration.ofMillis(Math.clamp(Long.parseLong(header), 0, Integer.MAX_VALUE));
        } catch (NumberFormatException e) {
            return defaultBudget;
        }
    }

    private void serve(Envelope request, RpcChannel.Reply reply, Instant deadline) {
        Thread me = Thread.currentThread();
        Context context = new Context(subject, deadline, request.headers());
        // the handler is interrupted only while it runs: once it has returned, the thread goes on
        // to write the reply, which an interrupt could cut short (a socket channel closes on it)
        InHandler inHandler = new InHandler();
        Runnable cancel = () -> {
            context.cancel();
            inHandler.interrupt(me);
        };
        reply.onCancel(cancel);
        boolean acquired = false;
        running.add(me);
        try {
            long waitNanos = Duration.between(Instant.now(), deadline).toNanos();
            acquired = waitNanos > 0 && permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
            if (!acquired || context.isCancelled()) {
                reply.send(error(request, "deadline", "io.baton.DeadlineExceededException",
                        "deadline passed before '" + subject + "' started the work"));
                return;
            }
            Reply result;
            java.util.concurrent.ScheduledFuture<?> timer = null;
            if (deadlineTimer) {
                // this backend does not carry the caller's cancel: the deadline is enforced here
                long left = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                timer = DEADLINES.schedule(cancel, left, TimeUnit.MILLISECONDS);
            }
            inHandler.enter(me, context);
            try {
                result = invokeIn(context, request);
            } finally {
                inHandler.leave();
                if (timer != null) timer.cancel(false); // removed at once: no timer outlives its call
                Thread.interrupted(); // a cancel that came late must not leak into the next work
            }
            if (context.isCancelled()) {
                // past the deadline or given up by the caller: a late result must not pass for a timely one
                reply.send(error(request, "deadline", "io.baton.DeadlineExceededException",
                        "'" + subject + "' finished after its deadline or after its caller gave up"));
                return;
            }
            reply.send(new Envelope(request.subject(), null, null, result.headers(), result.payload(), CoarseClock.millis()));
        } catch (Failure f) {
            reply.send(error(request, f.kind, f.kind.equals("decode") ? "io.baton.CodecException" : "io.baton.UnknownOperationException", f.getMessage()));
        } catch (Throwable t) { // StackOverflowError included: the caller gets an answer, the server goes on
            if (context.isCancelled()) {
                // the handler was interrupted because the call was given up or ran out of time: a
                // caller still waiting hears that, not the interrupt it caused
                log.debug("call to '{}' was cancelled by its caller", subject);
                reply.send(error(request, "deadline", "io.baton.DeadlineExceededException",
                        "the call to '" + subject + "' was cancelled before its handler finished"));
            } else {
                log.debug("handler of '{}' threw", subject, t);
                reply.send(error(request, null, t.getClass().getName(), t.getMessage()));
            }
        } finally {
            if (acquired) permits.release();
            running.remove(me);
        }
    }

    /** Whether a call's handler is running, so that a cancel may interrupt its thread. */
    private static final class InHandler {
        private final ReentrantLock lock = new ReentrantLock(); // not synchronized: a virtual thread must not pin its carrier
        private boolean running;

        /** The handler starts; if the call was cancelled already, it starts interrupted. */
        void enter(Thread me, Context context) {
            lock.lock();
            try {
                running = true;
                if (context.isCancelled()) me.interrupt();
            } finally {
                lock.unlock();
            }
        }

        void interrupt(Thread handler) {
            lock.lock();
            try {
                if (running) handler.interrupt();
            } finally {
                lock.unlock();
            }
        }

        /** The handler has returned: from now on no cancel interrupts the thread. */
        void leave() {
            lock.lock();
            try {
                running = false;
            } finally {
                lock.unlock();
            }
        }
    }

    private Reply invokeIn(Context context, Envelope request) throws Exception {
        Reply[] out = new Reply[1];
        Context.runWith(context, () -> out[0] = invocation.invoke(request));
        return out[0];
    }

    private static Envelope error(Envelope request, String kind, String type, String message) {
        return Envelope.rpcError(request.subject(), kind, type, message);
    }

    @Override
    void onStop() {
        AutoCloseable r = registration;
        if (r != null) {
            try {
                r.close();
            } catch (Exception e) {
                log.debug("unregistering '{}' failed", subject, e);
            }
        }
    }

    @Override
    void awaitHandlers(long deadlineNanos) {
        joinAll(Set.copyOf(running), deadlineNanos);
    }
}
