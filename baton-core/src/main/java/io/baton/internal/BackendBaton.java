package io.baton.internal;

import io.baton.Baton;
import io.baton.BatonClosedException;
import io.baton.CallOptions;
import io.baton.Codec;
import io.baton.ConnectOptions;
import io.baton.Queue;
import io.baton.QueueOptions;
import io.baton.RpcHandler;
import io.baton.ServeOptions;
import io.baton.Subscription;
import io.baton.Topic;
import io.baton.UnknownBackendException;
import io.baton.spi.Backend;
import io.baton.spi.BackendProvider;
import io.baton.spi.Capability;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Baton} over any {@link Backend}: validation, codecs, RPC deadlines, typed proxies and
 * the function runtime, done once here for every backend.
 */
public final class BackendBaton implements Baton {
    private final Backend backend;
    private final ConnectOptions options;
    private final FunctionRuntime runtime;
    private final RpcClient rpcClient;
    private final Codec codec;
    private final AtomicLong slowConsumersCutOff = new AtomicLong();
    private volatile boolean closed;

    BackendBaton(Backend backend, ConnectOptions options) {
        this.backend = backend;
        this.options = options;
        this.runtime = new FunctionRuntime(options.shutdownTimeout());
        this.codec = new BoundedCodec(options.codec(), options.maxPayloadBytes());
        this.rpcClient = new RpcClient(backend.rpc(), codec, options.callTimeout());
    }

    /** Finds the backend for {@code url}'s scheme through {@link ServiceLoader} and opens it. */
    public static Baton open(String url, ConnectOptions options) {
        Objects.requireNonNull(options, "options");
        return new BackendBaton(openBackend(url), options);
    }

    /**
     * Opens the backend for {@code url}'s scheme, found through {@link ServiceLoader}: what
     * {@link #open} connects to, and what a Baton server stores in.
     *
     * @throws UnknownBackendException if no backend on the class path handles the scheme
     */
    public static Backend openBackend(String url) {
        Objects.requireNonNull(url, "url");
        int colon = url.indexOf(':');
        if (colon <= 0) {
            throw new UnknownBackendException("'" + url + "' is not a Baton URL: expected mem:, file:./data, baton://host:7400 or nats://host:4222");
        }
        String scheme = url.substring(0, colon);
        List<String> known = new ArrayList<>();
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class, BackendBaton.class.getClassLoader())) {
            if (provider.scheme().equalsIgnoreCase(scheme)) return provider.open(url);
            known.add(provider.scheme() + ":");
        }
        throw new UnknownBackendException("no backend for '" + scheme + ":' in '" + url + "'; available here: " + known
                + " (add the backend's module to the class path)");
    }

    @Override
    public <T> Queue<T> queue(String name, Class<T> type) {
        return queue(name, type, QueueOptions.defaults());
    }

    @Override
    public <T> Queue<T> queue(String name, Class<T> type, QueueOptions queueOptions) {
        ensureOpen();
        Subjects.checkQueueName(name);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(queueOptions, "options");
        return new TypedQueue<>(backend.queue(name, queueOptions), backend, codec, type, runtime);
    }

    @Override
    public <T> Topic<T> topic(String subject, Class<T> type) {
        ensureOpen();
        Objects.requireNonNull(type, "type");
        return new TypedTopic<>(subject, backend, codec, type, runtime, slowConsumersCutOff::incrementAndGet);
    }

    @Override
    public <Q, R> Subscription serve(String subject, Class<Q> requestType, RpcHandler<Q, R> handler) {
        return serve(subject, requestType, handler, ServeOptions.defaults());
    }

    @Override
    public <Q, R> Subscription serve(String subject, Class<Q> requestType, RpcHandler<Q, R> handler, ServeOptions serveOptions) {
        ensureOpen();
        Subjects.checkSubject(subject);
        Objects.requireNonNull(requestType, "requestType");
        Objects.requireNonNull(handler, "handler");
        RpcServer.Invocation invocation = request -> {
            String operation = request.headers().get(io.baton.Headers.RPC_OPERATION);
            if (operation != null) {
                throw new RpcServer.Failure("unknown-operation", "'" + subject + "' is served by a plain function, not by an interface: it has no operation '" + operation + "'");
            }
            Q decoded;
            try {
                decoded = codec.decode(request.payload(), requestType);
            } catch (io.baton.CodecException e) {
                throw new RpcServer.Failure("decode", e.getMessage());
            }
            R result = handler.handle(decoded);
            return result == null ? new RpcServer.Reply(new byte[0], RpcServer.NULL_HEADERS) : new RpcServer.Reply(codec.encode(result), Map.of());
        };
        return serveInvocation(subject, serveOptions.concurrency(), invocation);
    }

    private Subscription serveInvocation(String subject, int concurrency, RpcServer.Invocation invocation) {
        return runtime.launch(new RpcServer(runtime, subject, concurrency, options.callTimeout(),
                !backend.capabilities().contains(Capability.RPC_CANCELLATION), invocation), s -> s.start(backend.rpc()));
    }

    @Override
    public <R> R call(String subject, Object request, Class<R> responseType) {
        return call(subject, request, responseType, CallOptions.defaults());
    }

    @Override
    public <R> R call(String subject, Object request, Class<R> responseType, CallOptions callOptions) {
        byte[] payload = encodeRequest(subject, request, responseType, callOptions);
        return rpcClient.call(subject, payload, Map.of(), callOptions, bytes -> codec.decode(bytes, responseType));
    }

    @Override
    public <R> CompletableFuture<R> callAsync(String subject, Object request, Class<R> responseType) {
        return callAsync(subject, request, responseType, CallOptions.defaults());
    }

    @Override
    public <R> CompletableFuture<R> callAsync(String subject, Object request, Class<R> responseType, CallOptions callOptions) {
        byte[] payload = encodeRequest(subject, request, responseType, callOptions);
        return rpcClient.callAsync(subject, payload, Map.of(), callOptions, bytes -> codec.decode(bytes, responseType));
    }

    /** Checks a call's arguments and encodes its request; bad arguments throw here, not in a future. */
    private byte[] encodeRequest(String subject, Object request, Class<?> responseType, CallOptions callOptions) {
        ensureOpen();
        Subjects.checkSubject(subject);
        Objects.requireNonNull(request, () -> "request to '" + subject + "' must not be null");
        Objects.requireNonNull(responseType, "responseType");
        if (!callOptions.headers().isEmpty()) TypedQueue.checkHeaders(callOptions.headers());
        return codec.encode(request);
    }

    @Override
    public <I> Subscription serve(Class<I> api, I implementation) {
        ensureOpen();
        Objects.requireNonNull(implementation, "implementation");
        String subject = InterfaceRpc.subjectOf(api);
        Subjects.checkSubject(subject);
        return serveInvocation(subject, ServeOptions.defaults().concurrency(), InterfaceRpc.dispatcher(api, implementation, codec));
    }

    @Override
    public <I> I proxy(Class<I> api) {
        ensureOpen();
        return InterfaceRpc.proxy(api, rpcClient);
    }

    @Override
    public Subscription register(Object functions) {
        ensureOpen();
        return AnnotatedFunctions.register(this, functions);
    }

    @Override
    public Set<Capability> capabilities() {
        return backend.capabilities();
    }

    /** How many ephemeral subscribers of this connection were cut off for being slow. */
    public long slowConsumersCutOff() {
        return slowConsumersCutOff.get();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        try {
            runtime.closeAll();
        } finally {
            backend.close();
        }
    }

    private void ensureOpen() {
        if (closed) throw new BatonClosedException("this Baton connection is closed");
    }
}
