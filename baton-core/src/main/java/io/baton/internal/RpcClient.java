package io.baton.internal;

import io.baton.BatonException;
import io.baton.CallOptions;
import io.baton.Codec;
import io.baton.Context;
import io.baton.DeadlineExceededException;
import io.baton.Headers;
import io.baton.RemoteException;
import io.baton.UnknownOperationException;
import io.baton.spi.Envelope;
import io.baton.spi.RpcChannel;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntToLongFunction;

/**
 * The calling side of RPC, written once for every backend: the deadline (the call's own, capped by
 * the current {@link Context}'s remaining budget) travels as {@link Headers#RPC_TIMEOUT_MS}; the
 * reply's error headers become typed exceptions; a caller that gives up cancels the request, which
 * cancels the server side; a call that a stopping server refused unstarted goes to the subject's
 * servers again ({@link #REROUTES}).
 */
final class RpcClient {
    private final RpcChannel rpc;
    private final Codec codec;
    private final Duration defaultTimeout;
    private final IntToLongFunction pauses;

    RpcClient(RpcChannel rpc, Codec codec, Duration defaultTimeout) {
        this(rpc, codec, defaultTimeout, RpcClient::pause);
    }

    /** With {@code pauses}: the milliseconds after each refusal (by its number, from 1) instead of {@link #pause}'s. */
    RpcClient(RpcChannel rpc, Codec codec, Duration defaultTimeout, IntToLongFunction pauses) {
        this.rpc = rpc;
        this.codec = codec;
        this.defaultTimeout = defaultTimeout;
        this.pauses = pauses;
    }

    Codec codec() { return codec; }

    /** A request ready to go: its envelope and its deadline. */
    private record Prepared(Envelope request, Duration timeout) {}

    /**
     * The call's deadline (its own, capped by the current {@link Context}'s remaining budget) and
     * its envelope.
     *
     * @throws DeadlineExceededException if the call being served has no budget left
     */
    private Prepared prepare(String subject, byte[] payload, Map<String, String> extraHeaders, CallOptions options) {
        Duration timeout = options.timeout() != null ? options.timeout() : defaultTimeout;
        Context current = Context.current();
        if (current != null) {
            Duration remaining = current.remaining();
            if (remaining.compareTo(timeout) < 0) timeout = remaining;
            if (current.isCancelled() && !timeout.isNegative() && !timeout.isZero()) {
                throw new DeadlineExceededException("the call being served was cancelled; '" + subject + "' was not called");
            }
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new DeadlineExceededException("the deadline of the call being served has passed; '" + subject + "' was not called");
        }
        Map<String, String> headers = new HashMap<>(options.headers());
        headers.putAll(extraHeaders);
        headers.put(Headers.RPC_TIMEOUT_MS, Long.toString(timeout.toMillis()));
        return new Prepared(new Envelope(subject, null, null, Map.copyOf(headers), payload, CoarseClock.millis()), timeout);
    }

    /**
     * Calls and waits on this thread: the wait itself is the deadline, so no timer is armed. An
     * interrupt or the deadline cancels the request, which cancels the server side.
     */
    <R> R call(String subject, byte[] payload, Map<String, String> extraHeaders, CallOptions options, Function<byte[], R> decode) {
        Prepared prepared = prepare(subject, payload, extraHeaders, options);
        long millis = prepared.timeout().toMillis();
        long started = System.nanoTime();
        Envelope request = prepared.request();
        Duration timeout = prepared.timeout();
        try {
            Envelope reply = rpc.call(request, timeout);
            for (int refusal = 1; refusal <= REROUTES && refusedUnstarted(reply); refusal++) {
                long pause = pauses.applyAsLong(refusal);
                if (budgetLeft(prepared.timeout(), started, pause) == null) break;
                if (pause > 0) Thread.sleep(pause);
                Duration left = budgetLeft(prepared.timeout(), started, 0); // after the pause, which may have run long
                if (left == null) break;
                request = withBudget(request, left);
                timeout = left;
                reply = rpc.call(request, timeout);
            }
            return decodeReply(subject, reply, decode);
        } catch (TimeoutException e) {
            throw new DeadlineExceededException("no reply from '" + subject + "' within " + millis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatonException("interrupted while waiting for a reply from '" + subject + "'", e);
        } catch (ExecutionException e) {
            Throwable t = translate(subject, millis, e.getCause());
            if (t instanceof RuntimeException re) throw re;
            throw new BatonException("call to '" + subject + "' failed: " + t, t);
        }
    }

    /** Calls without blocking: a timer enforces the deadline; cancelling the result cancels the server side. */
    <R> CompletableFuture<R> callAsync(String subject, byte[] payload, Map<String, String> extraHeaders, CallOptions options,
                                       Function<byte[], R> decode) {
        Prepared prepared;
        try {
            prepared = prepare(subject, payload, extraHeaders, options);
        } catch (DeadlineExceededException e) {
            return CompletableFuture.failedFuture(e);
        }
        long millis = prepared.timeout().toMillis();
        Rerouting call = new Rerouting(prepared.timeout());
        call.attempt(prepared.request(), prepared.timeout(), 1);
        CompletableFuture<Envelope> raw = call.reply.orTimeout(millis, TimeUnit.MILLISECONDS);
        CompletableFuture<R> result = raw.handle((reply, error) -> {
            if (error != null) throw new CompletionException(translate(subject, millis, error));
            return decodeReply(subject, reply, decode);
        });
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) raw.cancel(true); // reaches the server's cancel hooks
        });
        return result;
    }

    /**
     * How many times a call goes to the subject's servers again after one refused it unstarted
     * (a reply of kind {@code no-server}: that server was stopping, and the broker had not heard
     * yet). Only such a refusal is sent again, since no handler saw the call. The pauses before the
     * attempts, 0, 1, 2 and 4 ms, give a stopping server the time to leave where the broker picks
     * a server at random (a NATS queue group); where it goes round (mem:, the Baton server) the
     * first attempt again reaches another one. A subject whose only server is stopping still fails
     * with {@link io.baton.NoRespondersException}, some milliseconds later.
     */
    private static final int REROUTES = 4;
    private static final Duration MIN_BUDGET = Duration.ofMillis(1);

    /** The milliseconds between refusal number {@code refusal} and the next attempt. */
    private static long pause(int refusal) {
        return refusal == 1 ? 0 : 1L << (refusal - 2);
    }

    /**
     * What will be left of a call's {@code budget}, begun at {@code started}, after a further
     * {@code pauseMillis}; null if too little for another attempt.
     */
    private static Duration budgetLeft(Duration budget, long started, long pauseMillis) {
        Duration left = budget.minusNanos(System.nanoTime() - started).minusMillis(pauseMillis);
        return left.compareTo(MIN_BUDGET) < 0 ? null : left;
    }

    private static boolean refusedUnstarted(Envelope reply) {
        return "no-server".equals(reply.headers().get(Headers.RPC_ERROR_KIND));
    }

    /** The same request with the budget it has left, so that the next server's deadline is the caller's. */
    private static Envelope withBudget(Envelope request, Duration left) {
        Map<String, String> headers = new HashMap<>(request.headers());
        headers.put(Headers.RPC_TIMEOUT_MS, Long.toString(left.toMillis()));
        return request.withHeaders(headers);
    }

    /**
     * The attempts of one asynchronous call: {@link #reply} completes with the first answer that is
     * not an unstarted refusal (or the last one); its failure (a timeout, a cancel) reaches the
     * attempt in flight, and through it the server's cancel hooks.
     */
    private final class Rerouting {
        final CompletableFuture<Envelope> reply = new CompletableFuture<>();
        private final Duration budget;
        private final long started = System.nanoTime();
        private volatile CompletableFuture<Envelope> inFlight;

        Rerouting(Duration budget) {
            this.budget = budget;
            reply.whenComplete((r, e) -> {
                CompletableFuture<Envelope> current = inFlight; // null if the first attempt could not be sent
                if (e != null && current != null) current.completeExceptionally(e);
            });
        }

        /** Sends attempt number {@code attempt} (the first is 1); after a refusal, the next follows a pause. */
        void attempt(Envelope request, Duration timeout, int attempt) {
            if (reply.isDone()) return; // given up (timed out, cancelled) during the pause: send nothing
            CompletableFuture<Envelope> current;
            try {
                current = rpc.request(request, timeout);
            } catch (RuntimeException e) { // on a timer's thread after a refusal: only this future can tell the caller
                reply.completeExceptionally(e);
                return;
            }
            inFlight = current;
            if (reply.isDone()) current.cancel(true); // given up while this attempt was being sent
            current.whenComplete((answer, error) -> {
                if (error != null) {
                    reply.completeExceptionally(error);
                    return;
                }
                long pause = pauses.applyAsLong(attempt);
                if (attempt > REROUTES || !refusedUnstarted(answer) || budgetLeft(budget, started, pause) == null || reply.isDone()) {
                    reply.complete(answer);
                    return;
                }
                // not on the thread that completed the answer (an event loop, say), which a send may block
                Thread.ofVirtual().name("baton-rpc-reroute").start(() -> {
                    try {
                        if (pause > 0) Thread.sleep(pause);
                    } catch (InterruptedException e) {
                        // this thread is Baton's own and nothing interrupts it; were it to happen, go on at once
                    }
                    Duration left = budgetLeft(budget, started, 0); // after the pause, which may have run long
                    if (left == null) reply.complete(answer);
                    else attempt(withBudget(request, left), left, attempt + 1);
                });
            });
        }
    }

    /** Waits for {@code future} like a blocking call does: unwrapped exceptions, interrupt cancels. */
    static <R> R await(CompletableFuture<R> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new BatonException("interrupted while waiting for a reply", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new BatonException(String.valueOf(cause.getMessage()), cause);
        }
    }

    private static Throwable translate(String subject, long millis, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            return new DeadlineExceededException("no reply from '" + subject + "' within " + millis + " ms");
        }
        if (cause instanceof CancellationException) return cause;
        if (cause instanceof BatonException) return cause;
        return new BatonException("call to '" + subject + "' failed: " + cause, cause);
    }

    private static <R> R decodeReply(String subject, Envelope reply, Function<byte[], R> decode) {
        Map<String, String> h = reply.headers();
        String errorType = h.get(Headers.RPC_ERROR_TYPE);
        if (errorType != null) {
            String message = h.get(Headers.RPC_ERROR_MESSAGE);
            String kind = h.get(Headers.RPC_ERROR_KIND);
            if ("unknown-operation".equals(kind)) throw new UnknownOperationException(message);
            if ("deadline".equals(kind)) throw new DeadlineExceededException(message);
            if ("no-server".equals(kind)) throw new io.baton.NoRespondersException(message);
            throw new RemoteException(subject, errorType, message);
        }
        if (h.containsKey(RpcServer.NULL_BODY)) return null;
        return decode.apply(reply.payload());
    }

    /** Decoder of a reply into {@code type}; void and Void replies are null. */
    Function<byte[], Object> decoderFor(Type type) {
        if (type == void.class || type == Void.class) return bytes -> null;
        return bytes -> codec.decode(bytes, type);
    }
}
