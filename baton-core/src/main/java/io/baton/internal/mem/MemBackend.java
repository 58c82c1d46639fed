package io.baton.internal.mem;

import io.baton.BatonClosedException;
import io.baton.QueueOptions;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.QueueChannel;
import io.baton.spi.RpcChannel;
import io.baton.spi.TopicChannel;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code mem:} backend: everything in this JVM's heap, nothing survives {@link #close()}.
 * Every semantic except durability. Each {@code Baton.connect("mem:")} gets its own broker;
 * {@code mem://NAME} names a broker shared by every connection to that name in this JVM until
 * the last one closes.
 */
public final class MemBackend implements Backend {
    private static final Set<Capability> CAPABILITIES = EnumSet.complementOf(EnumSet.of(Capability.DURABLE));

    private final Map<String, MemQueue> queues = new ConcurrentHashMap<>();
    private final MemTopics topics;
    private final MemRpc rpc = new MemRpc();
    private final Runnable onClose;
    private volatile boolean closed;

    MemBackend(MemTopics.HistoryLimits limits, Runnable onClose) {
        this.topics = new MemTopics(limits);
        this.onClose = onClose;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public QueueChannel queue(String name, QueueOptions options) {
        if (closed) throw new BatonClosedException("mem: backend is closed");
        return queues.computeIfAbsent(name, n -> new MemQueue(n, options));
    }

    @Override
    public TopicChannel topics() {
        return topics;
    }

    @Override
    public RpcChannel rpc() {
        return rpc;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        queues.values().forEach(MemQueue::close);
        topics.close();
        rpc.close();
        onClose.run();
    }
}
