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

/**
 * The calling side of RPC, written once for every backend: the deadline (the call's own, capped by
 * the current {@link Context}'s remaining budget) travels as {@link Headers#RPC_TIMEOUT_MS}; the
 * reply's error headers become typed exceptions; a caller that gives up cancels the request, which
 * cancels the server side.
 */
final class RpcClient {
    private final RpcChannel rpc;
    private final Codec codec;
    private final Duration defaultTimeout;

    RpcClient(RpcChannel rpc, Codec codec, Duration defaultTimeout) {
        this.rpc = rpc;
        this.codec = codec;
        this.defaultTimeout = defaultTimeout;
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
        Envelope reply;
        try {
            reply = rpc.call(prepared.request(), prepared.timeout());
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
        return decodeReply(subject, reply, decode);
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
        CompletableFuture<Envelope> raw = rpc.request(prepared.request(), prepared.timeout()).orTimeout(millis, TimeUnit.MILLISECONDS);
        CompletableFuture<R> result = raw.handle((reply, error) -> {
            if (error != null) throw new CompletionException(translate(subject, millis, error));
            return decodeReply(subject, reply, decode);
        });
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) raw.cancel(true); // reaches the server's cancel hooks
        });
        return result;
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
