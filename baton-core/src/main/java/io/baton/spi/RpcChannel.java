package io.baton.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A backend's request/reply. Handlers and codecs live in core; this moves bytes. */
public interface RpcChannel {

    /**
     * Registers a server of {@code subject}. Requests are shared among a subject's servers.
     *
     * @return closing it unregisters
     */
    AutoCloseable serve(String subject, RequestHandler handler);

    /**
     * Sends a request to one server of its subject. The future completes with the reply; it fails
     * at once with {@link io.baton.NoRespondersException} if nothing serves the subject. When the
     * caller completes the future itself (cancel, timeout), the server's {@link Reply#onCancel}
     * hooks run.
     */
    CompletableFuture<Envelope> request(Envelope request, Duration timeout);

    /**
     * Sends a request and waits on the calling thread for its reply, up to {@code timeout}. By
     * default this is {@link #request} and a wait on its future; a backend that can make the round
     * trip on the caller's own thread, without handing the request to an I/O thread and the reply
     * back, overrides it. The timeout and an interrupt give the call up, which cancels the server
     * side as cancelling {@link #request}'s future does.
     *
     * @throws TimeoutException no reply within {@code timeout}
     * @throws ExecutionException the request failed; the cause says why (as {@link #request}'s future would)
     */
    default Envelope call(Envelope request, Duration timeout) throws InterruptedException, TimeoutException, ExecutionException {
        return await(request(request, timeout), timeout);
    }

    /** Waits for a reply as {@link #call} does: the timeout and an interrupt cancel {@code reply}. */
    static Envelope await(CompletableFuture<Envelope> reply, Duration timeout) throws InterruptedException, TimeoutException, ExecutionException {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException e) {
            reply.cancel(true);
            throw e;
        }
    }

    /** Handles requests; called on the backend's thread, must not block. */
    @FunctionalInterface
    interface RequestHandler {
        void onRequest(Envelope request, Reply reply);
    }

    /** The way back to one caller. */
    interface Reply {
        /** Sends the reply; only the first call counts. */
        void send(Envelope response);

        /** Runs {@code hook} when the caller gives up (at once if it already has). */
        void onCancel(Runnable hook);
    }
}
