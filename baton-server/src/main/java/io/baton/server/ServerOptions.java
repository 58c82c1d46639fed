package io.baton.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link BatonServer} listens, stores and limits. Immutable; {@link #builder()} starts from
 * the defaults: loopback, port 7400, storage {@code mem:}, 1 MiB payloads, 10,000 connections, 2 s
 * to log in, 8 MiB pending per subscriber connection, no users (everyone may do everything, so
 * only loopback), no TLS, no HTTP port, half the processors for I/O.
 */
public record ServerOptions(String bind, int port, String storageUrl, int maxPayloadBytes, int maxConnections,
                            Duration loginTimeout, int subscriberPendingBytes, boolean insecure, String serverName,
                            Authenticator authenticator, TlsOptions tls, int httpPort, int ioThreads) {

    public ServerOptions {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(storageUrl, "storageUrl");
        Objects.requireNonNull(loginTimeout, "loginTimeout");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(authenticator, "authenticator");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535 (0 picks a free one): " + port);
        if (httpPort < -1 || httpPort > 65535) throw new IllegalArgumentException("httpPort must be -1 (none), 0 (a free one) or a port: " + httpPort);
        if (maxPayloadBytes < 1) throw new IllegalArgumentException("maxPayloadBytes must be positive: " + maxPayloadBytes);
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
        if (subscriberPendingBytes < 1024) throw new IllegalArgumentException("subscriberPendingBytes must be at least 1024: " + subscriberPendingBytes);
        if (ioThreads < 1) throw new IllegalArgumentException("ioThreads must be positive: " + ioThreads);
        if (loginTimeout.isNegative() || loginTimeout.isZero()) throw new IllegalArgumentException("loginTimeout must be positive: " + loginTimeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ServerOptions defaults() {
        return builder().build();
    }

    /** Builds {@link ServerOptions}. */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private int port = 7400;
        private String storageUrl = "mem:";
        private int maxPayloadBytes = 1 << 20;
        private int maxConnections = 10_000;
        private Duration loginTimeout = Duration.ofSeconds(2);
        private int subscriberPendingBytes = 8 << 20;
        private boolean insecure;
        private String serverName = "baton";
        private Authenticator authenticator = Authenticator.OPEN;
        private TlsOptions tls;
        private int httpPort = -1;
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

        /** The address to listen on (default 127.0.0.1). */
        public Builder bind(String bind) { this.bind = bind; return this; }

        /** The TCP port (default 7400; 0 picks a free one, see {@link BatonServer#port()}). */
        public Builder port(int port) { this.port = port; return this; }

        /** Where queues and topics are stored: a backend URL, {@code file:DIR} for a durable server. */
        public Builder storage(String storageUrl) { this.storageUrl = storageUrl; return this; }

        public Builder maxPayloadBytes(int maxPayloadBytes) { this.maxPayloadBytes = maxPayloadBytes; return this; }

        public Builder maxConnections(int maxConnections) { this.maxConnections = maxConnections; return this; }

        /** How long a new connection has to complete HELLO. */
        public Builder loginTimeout(Duration loginTimeout) { this.loginTimeout = loginTimeout; return this; }

        /** Bytes of subscription messages a connection may have unsent before its subscription is cut off. */
        public Builder subscriberPendingBytes(int bytes) { this.subscriberPendingBytes = bytes; return this; }

        /** Allows listening on a non-loopback address without authentication. */
        public Builder insecure(boolean insecure) { this.insecure = insecure; return this; }

        public Builder serverName(String serverName) { this.serverName = serverName; return this; }

        /** Who may connect, with what permissions (default: everyone, everything). */
        public Builder authenticator(Authenticator authenticator) { this.authenticator = authenticator; return this; }

        /** The HTTP port for /health, /metrics and /stats, on the same address (default -1: none; 0 picks a free one). */
        public Builder httpPort(int httpPort) { this.httpPort = httpPort; return this; }

        /** TLS on the port (default none). */
        public Builder tls(TlsOptions tls) { this.tls = tls; return this; }

        /**
         * Event-loop threads for the connections (default: half the processors, at least one).
         * Connections on one thread hand frames to each other without a thread switch, and the
         * other half of the processors is left for handlers, storage and the clients on the
         * same machine.
         */
        public Builder ioThreads(int ioThreads) { this.ioThreads = ioThreads; return this; }

        public ServerOptions build() {
            return new ServerOptions(bind, port, storageUrl, maxPayloadBytes, maxConnections, loginTimeout,
                    subscriberPendingBytes, insecure, serverName, authenticator, tls, httpPort, ioThreads);
        }
    }
}
