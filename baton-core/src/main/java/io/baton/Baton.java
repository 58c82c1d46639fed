package io.baton;

import io.baton.internal.BackendBaton;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to one Baton backend, chosen by URL: {@code mem:}, {@code file:./data},
 * {@code baton://host:7400} or {@code nats://host:4222}. Every queue, topic and RPC subject of
 * this connection lives on that backend.
 *
 * <p>The three patterns:
 * <ul>
 *   <li>{@link #queue(String, Class)}: ordered, acknowledged hand-off to one of many competing
 *       consumers, at least once;</li>
 *   <li>{@link #topic(String, Class)}: publish/subscribe, every subscriber gets a copy;</li>
 *   <li>{@link #serve(String, Class, RpcHandler)} / {@link #call(String, Object, Class)}:
 *       request/reply with a deadline.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Every handler (queue consumer, subscriber, RPC server) runs on a virtual
 * thread owned by this connection; blocking in a handler is fine. Each function has its own
 * concurrency limit. A Baton is thread-safe.
 *
 * <p><b>Closing.</b> {@link #close()} stops taking new work, lets running handlers finish
 * (bounded by {@link ConnectOptions#shutdownTimeout()}), returns un-acknowledged queue messages
 * to their queue and then closes the backend.
 */
public interface Baton extends AutoCloseable {

    /**
     * Connects to the backend named by {@code url} with default options.
     *
     * @throws UnknownBackendException if no backend on the class path handles the URL's scheme
     * @throws BatonException if the backend cannot be reached or opened
     */
    static Baton connect(String url) {
        return connect(url, ConnectOptions.defaults());
    }

    /** Connects with explicit options (codec, default deadline, shutdown bound). */
    static Baton connect(String url, ConnectOptions options) {
        return BackendBaton.open(url, options);
    }

    /**
     * The queue called {@code name}, created on the backend if it does not exist. Names are
     * dot-separated tokens of letters, digits, {@code -} and {@code _}.
     *
     * @throws InvalidNameException if the name is not valid
     */
    <T> Queue<T> queue(String name, Class<T> type);

    /** The queue called {@code name}, created with {@code options} if it does not exist. */
    <T> Queue<T> queue(String name, Class<T> type, QueueOptions options);

    /**
     * A topic handle for a subject ({@code orders.eu.created}) or, for subscribing only, a pattern
     * with {@code *} (one token) and {@code >} (the rest).
     *
     * @throws InvalidNameException if the subject or pattern is malformed
     */
    <T> Topic<T> topic(String subject, Class<T> type);

    /**
     * Serves RPC requests on {@code subject}. Several servers of one subject share its calls
     * (each call goes to one of them). The handler runs on a virtual thread; what it returns is
     * the reply; what it throws reaches the caller as {@link RemoteException}.
     * Inside the handler, {@link Context#current()} gives the call's deadline and cancellation.
     *
     * @return a handle whose {@code close()} stops serving
     */
    <Q, R> Subscription serve(String subject, Class<Q> requestType, RpcHandler<Q, R> handler);

    /** As {@link #serve(String, Class, RpcHandler)} with a concurrency limit. */
    <Q, R> Subscription serve(String subject, Class<Q> requestType, RpcHandler<Q, R> handler, ServeOptions options);

    /**
     * Calls the function served on {@code subject} and waits for its reply.
     * The deadline is {@link ConnectOptions#callTimeout()} (5 s by default) or, inside a handler,
     * what remains of the current call's deadline, whichever is sooner.
     *
     * @throws NoRespondersException at once if nothing serves the subject
     * @throws DeadlineExceededException if no reply came before the deadline
     * @throws RemoteException if the remote handler threw (a reply over the payload limit arrives
     *         as one with remote type {@link PayloadTooLargeException})
     * @throws PayloadTooLargeException if the request encodes to more than {@link ConnectOptions#maxPayloadBytes()}
     * @throws CodecException if the request cannot be encoded or the reply decoded
     */
    <R> R call(String subject, Object request, Class<R> responseType);

    /** As {@link #call(String, Object, Class)} with a deadline and headers. */
    <R> R call(String subject, Object request, Class<R> responseType, CallOptions options);

    /**
     * Calls without blocking. The future fails with the exceptions {@link #call} throws;
     * cancelling it cancels the server side's {@link Context}.
     */
    <R> CompletableFuture<R> callAsync(String subject, Object request, Class<R> responseType);

    /** As {@link #callAsync(String, Object, Class)} with a deadline and headers. */
    <R> CompletableFuture<R> callAsync(String subject, Object request, Class<R> responseType, CallOptions options);

    /**
     * Serves every method of interface {@code api} by calling {@code implementation}; the
     * subject is the interface's fully qualified name. {@link #proxy(Class)} is the client side.
     */
    <I> Subscription serve(Class<I> api, I implementation);

    /**
     * A client for interface {@code api}: each method call is an RPC to whoever serves it with
     * {@link #serve(Class, Object)}. Methods throw what {@link #call} throws; a method the server
     * does not have fails with {@link UnknownOperationException}.
     */
    <I> I proxy(Class<I> api);

    /**
     * Binds every method of {@code functions} annotated {@link Consume}, {@link Subscribe} or
     * {@link Serve}, all at once: either all are bound or none is.
     *
     * @return one handle that stops all of them
     * @throws IllegalArgumentException if a method has the wrong shape or no method is annotated
     */
    Subscription register(Object functions);

    /** The capabilities of the backend behind this connection. */
    java.util.Set<io.baton.spi.Capability> capabilities();

    /** Graceful close; see the class documentation. */
    @Override
    void close();
}
