package io.baton.internal.mem;

import io.baton.BatonClosedException;
import io.baton.NoRespondersException;
import io.baton.spi.Envelope;
import io.baton.spi.RpcChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-memory request/reply: a request goes to the next server of its subject (round robin) on the
 * caller's thread; the server answers through {@link Reply}. When the caller completes the
 * future first (timeout, cancel), the server's cancel hooks run.
 */
final class MemRpc implements RpcChannel {
    private static final int REPLY_SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 2_000 : 0;
    private final Map<String, CopyOnWriteArrayList<RequestHandler>> servers = new ConcurrentHashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile boolean closed;

    @Override
    public AutoCloseable serve(String subject, RequestHandler handler) {
        if (closed) throw new BatonClosedException("rpc is closed: its backend was closed");
        servers.computeIfAbsent(subject, s -> new CopyOnWriteArrayList<>()).add(handler);
        return () -> servers.computeIfPresent(subject, (s, list) -> {
            list.remove(handler);
            return list.isEmpty() ? null : list;
        });
    }

    /**
     * A reply from a server in this process comes within microseconds: a blocking call spins for
     * it before it parks. (A reply over a network takes longer than any spin, and spinning would
     * take the core that the connection's reader needs to bring it; other backends do not.)
     */
    @Override
    public Envelope call(Envelope request, Duration timeout) throws InterruptedException, TimeoutException, ExecutionException {
        CompletableFuture<Envelope> reply = request(request, timeout);
        for (int i = 0; i < REPLY_SPINS && !reply.isDone(); i++) Thread.onSpinWait();
        return RpcChannel.await(reply, timeout);
    }

    @Override
    public CompletableFuture<Envelope> request(Envelope request, Duration timeout) {
        if (closed) return CompletableFuture.failedFuture(new BatonClosedException("rpc is closed: its backend was closed"));
        List<RequestHandler> candidates = servers.get(request.subject());
        RequestHandler handler = null;
        if (candidates != null) {
            Object[] snapshot = candidates.toArray();
            if (snapshot.length > 0) handler = (RequestHandler) snapshot[Math.floorMod(roundRobin.getAndIncrement(), snapshot.length)];
        }
        if (handler == null) {
            return CompletableFuture.failedFuture(new NoRespondersException("no server for '" + request.subject() + "'"));
        }
        MemReply reply = new MemReply();
        reply.future.whenComplete((r, e) -> {
            if (e != null) reply.cancelled();
        });
        handler.onRequest(request, reply);
        return reply.future;
    }

    void close() {
        closed = true;
        servers.clear();
    }

    private static final class MemReply implements Reply {
        final CompletableFuture<Envelope> future = new CompletableFuture<>();
        private List<Runnable> hooks = new ArrayList<>();
        private boolean cancelled;

        @Override
        public void send(Envelope response) {
            future.complete(response);
        }

        @Override
        public void onCancel(Runnable hook) {
            synchronized (this) {
                if (!cancelled) {
                    hooks.add(hook);
                    return;
                }
            }
            hook.run();
        }

        void cancelled() {
            List<Runnable> toRun;
            synchronized (this) {
                cancelled = true;
                toRun = hooks;
                hooks = List.of();
            }
            toRun.forEach(Runnable::run);
        }
    }
}
