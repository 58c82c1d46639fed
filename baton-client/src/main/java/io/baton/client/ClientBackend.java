package io.baton.client;

import io.baton.BatonClosedException;
import io.baton.QueueOptions;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Verb;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.QueueChannel;
import io.baton.spi.RpcChannel;
import io.baton.spi.TopicChannel;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The {@code baton://} backend: every queue, topic and RPC call goes to a Baton server over one
 * connection; the server's capabilities are this backend's.
 */
final class ClientBackend implements Backend {
    private final ClientConnection connection;
    private final Duration requestTimeout;
    private final Set<Capability> capabilities;
    private final RemoteTopics topics;
    private final RemoteRpc rpc;
    private final CallLanes lanes;
    private volatile boolean closed;

    ClientBackend(ClientConnection connection, CallLanes lanes, Duration requestTimeout) {
        this.connection = connection;
        this.lanes = lanes;
        this.requestTimeout = requestTimeout;
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        for (Capability c : Capability.values()) {
            if ((connection.welcome().capabilities() & (1 << c.ordinal())) != 0) caps.add(c);
        }
        this.capabilities = caps;
        this.topics = new RemoteTopics(connection, requestTimeout);
        this.rpc = new RemoteRpc(connection, lanes, requestTimeout);
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public QueueChannel queue(String name, QueueOptions options) {
        if (closed) throw new BatonClosedException("the baton:// connection to " + connection.address() + " is closed");
        connection.openState("queue " + name, Verb.QUEUE, out -> {
            FrameWriter.str(out, name);
            out.writeLong(options.maxLength());
            out.writeLong(options.maxBytes());
            out.writeByte(options.overflow().ordinal());
            out.writeLong(options.blockTimeout().toMillis());
            out.writeLong(options.dedupeWindow().toMillis());
        }, requestTimeout, "opening queue '" + name + "'");
        return new RemoteQueue(connection, name, requestTimeout);
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
        lanes.close();
        connection.close();
    }
}
