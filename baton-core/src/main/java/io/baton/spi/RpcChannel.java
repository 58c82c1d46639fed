package io.baton.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

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
     * Whether replies come from this process, without a network between: then a blocking caller
     * spins for a moment before it parks.
     */
    default boolean inProcess() {
        return false;
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
