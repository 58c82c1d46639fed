package io.baton.server;

import io.baton.BatonException;
import io.baton.internal.BackendBaton;
import io.baton.protocol.Frames;
import io.baton.protocol.Transport;
import io.baton.spi.Backend;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Baton server: every queue, topic and RPC semantic for other processes, over the wire
 * protocol of docs/protocol.md, stored in the backend named by {@link ServerOptions#storageUrl()}
 * ({@code file:DIR} for a durable server). {@link #start} binds and returns; {@link #close} stops
 * accepting, closes every connection (their unacknowledged deliveries go back to their queues) and
 * closes the storage.
 */
public final class BatonServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatonServer.class);

    private final ServerOptions options;
    private final Backend backend;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final int port;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final ServerMetrics metrics = new ServerMetrics();
    private final HttpEndpoint http;
    private volatile boolean closed;

    private BatonServer(ServerOptions options) throws InterruptedException {
        this.options = options;
        refuseInsecureExposure(options);
        SslContext ssl = options.tls() == null ? null : options.tls().serverContext();
        this.backend = BackendBaton.openBackend(options.storageUrl());
        Transport transport = Transport.best();
        this.boss = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        this.workers = new MultiThreadIoEventLoopGroup(options.ioThreads(), transport.ioHandlerFactory());
        int maxFrame = Frames.maxFrameBytes(options.maxPayloadBytes());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(options.subscriberPendingBytes() / 2, options.subscriberPendingBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (ssl != null) ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        ch.pipeline()
                                .addLast("frames", Frames.decoder(maxFrame))
                                .addLast("baton", new ServerConnection(BatonServer.this));
                    }
                });
        try {
            this.listener = bootstrap.bind(options.bind(), options.port()).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdownGroups();
            backend.close();
            throw e;
        }
        this.port = ((InetSocketAddress) listener.localAddress()).getPort();
        HttpEndpoint httpEndpoint = null;
        if (options.httpPort() >= 0) {
            try {
                httpEndpoint = new HttpEndpoint(this, boss, workers, transport, options.bind(), options.httpPort());
            } catch (RuntimeException | InterruptedException e) {
                listener.close().awaitUninterruptibly();
                shutdownGroups();
                backend.close();
                throw e;
            }
        }
        this.http = httpEndpoint;
        log.info("Baton server listening on {}{} (storage {}; {})", listener.localAddress(), ssl == null ? "" : " with TLS",
                options.storageUrl(), options.authenticator().required() ? "login required" : "no login: everyone may do everything");
    }

    /**
     * Starts a server and returns once it listens.
     *
     * @throws BatonException if it cannot bind, or would listen beyond loopback without authentication
     */
    public static BatonServer start(ServerOptions options) {
        try {
            return new BatonServer(options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatonException("interrupted while starting the server", e);
        } catch (BatonException e) {
            throw e;
        } catch (Exception e) {
            throw new BatonException("cannot listen on " + options.bind() + ":" + options.port() + ": " + e.getMessage(), e);
        }
    }

    private static void refuseInsecureExposure(ServerOptions options) {
        if (options.insecure() || options.authenticator().required()) return;
        try {
            if (!InetAddress.getByName(options.bind()).isLoopbackAddress()) {
                throw new BatonException("refusing to listen on " + options.bind() + " without authentication: anyone who can reach it "
                        + "could read and write every queue; configure users or tokens, or say --insecure if you mean it");
            }
        } catch (UnknownHostException e) {
            throw new BatonException("cannot resolve the bind address '" + options.bind() + "'", e);
        }
    }

    /** The port it listens on (the one picked, if the options said 0). */
    public int port() {
        return port;
    }

    /** The HTTP port (/health, /metrics, /stats), or -1 if there is none. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public ServerOptions options() {
        return options;
    }

    Backend backend() {
        return backend;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** Admits a new connection unless the limit is reached. */
    boolean admit() {
        if (connectionCount.incrementAndGet() > options.maxConnections()) {
            connectionCount.decrementAndGet();
            return false;
        }
        return true;
    }

    void released() {
        connectionCount.decrementAndGet();
    }

    public int connectionCount() {
        return connectionCount.get();
    }

    boolean closing() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        listener.close().awaitUninterruptibly();
        if (http != null) http.close();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
        backend.close();
        log.info("Baton server on port {} closed", port());
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
