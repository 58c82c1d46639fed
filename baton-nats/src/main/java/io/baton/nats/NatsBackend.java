package io.baton.nats;

import io.baton.BatonClosedException;
import io.baton.BatonException;
import io.baton.ConnectionLostException;
import io.baton.Overflow;
import io.baton.PayloadTooLargeException;
import io.baton.QueueOptions;
import io.baton.UnsupportedCapabilityException;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.QueueChannel;
import io.baton.spi.RpcChannel;
import io.baton.spi.TopicChannel;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code nats:} backend: one jnats {@link Connection} to a NATS server or cluster. Queues are
 * JetStream work-queue streams, topics are core NATS subjects captured by one JetStream stream
 * (history and durable subscriptions), RPC is core request/reply. See {@link NatsNames} for where
 * each lives and docs/backends.md for what changes against {@code file:}.
 *
 * <p>Threads: jnats's reader and one {@link Dispatcher} thread, which runs the non-blocking sinks
 * and request handlers core gives this backend; one timer thread for leases and blocked sends.
 */
final class NatsBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(NatsBackend.class);

    /**
     * What this backend does with Baton's guarantees. Not: delayed delivery and key order (no
     * scheduled messages or per-key ordering on the server versions supported), bounded queues
     * (stream limits count messages in flight).
     */
    static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.QUEUES, Capability.TOPICS, Capability.RPC,
            Capability.DURABLE, Capability.DEDUPE, Capability.LEASE_EXTENSION, Capability.DURABLE_SUBSCRIPTIONS, Capability.REPLAY,
            Capability.RPC_CANCELLATION));
    /** With {@code history=false}: topics are plain core NATS, nothing to replay or resume from. */
    static final Set<Capability> CAPABILITIES_WITHOUT_HISTORY = CAPABILITIES.stream()
            .filter(c -> c != Capability.DURABLE_SUBSCRIPTIONS && c != Capability.REPLAY)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** How a queue's overflow mode travels in its stream's description (JetStream has no field for it). */
    private static final Pattern OVERFLOW = Pattern.compile("overflow=(BLOCK|REJECT) blockTimeoutMillis=(\\d+)");
    private static final int API_STREAM_NOT_FOUND = 10059;
    private static final int API_CONSUMER_NOT_FOUND = 10014;
    private static final int API_STREAM_NAME_IN_USE = 10058;

    private final NatsSettings settings;
    private final NatsNames names;
    private final Connection connection;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private final Dispatcher dispatcher;
    private final ScheduledThreadPoolExecutor timers;
    private final Map<String, JetStreamQueue> queues = new ConcurrentHashMap<>();
    private final Set<JetStreamSource> sources = ConcurrentHashMap.newKeySet();
    private final Map<String, ConcurrentLinkedDeque<JetStreamSource.Puller>> pullers = new ConcurrentHashMap<>();
    private final Map<String, Map<Long, Integer>> releases = new ConcurrentHashMap<>();
    private final NatsTopics topics;
    private final NatsRpc rpc;
    private volatile boolean closed;

    private NatsBackend(NatsSettings settings, Connection connection) throws IOException {
        this.settings = settings;
        this.names = new NatsNames(settings.prefix());
        this.connection = connection;
        this.jetStream = connection.jetStream();
        this.management = connection.jetStreamManagement();
        this.dispatcher = connection.createDispatcher();
        this.timers = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon(true).name("baton-nats-timers").unstarted(r));
        this.timers.setRemoveOnCancelPolicy(true);
        this.topics = new NatsTopics(this);
        this.rpc = new NatsRpc(this);
    }

    /** Connects and makes sure the topics stream exists (unless topics keep no history). */
    static NatsBackend open(NatsSettings settings) {
        Connection connection;
        try {
            connection = Nats.connect(options(settings));
        } catch (IOException e) {
            throw new ConnectionLostException("cannot connect to NATS at " + settings.describe() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionLostException("interrupted while connecting to NATS at " + settings.describe(), e);
        }
        NatsBackend backend = null;
        try {
            backend = new NatsBackend(settings, connection);
            if (settings.history()) backend.ensureTopicsStream();
            else backend.warnIfTopicsAreStillStored();
            return backend;
        } catch (RuntimeException | IOException e) {
            if (backend != null) backend.close();
            else closeQuietly(connection);
            if (e instanceof BatonException be) throw be;
            throw new BatonException("cannot use JetStream at " + settings.describe() + ": " + e.getMessage(), e);
        }
    }

    private static Options options(NatsSettings s) {
        Options.Builder b = Options.builder()
                .servers(s.servers().toArray(String[]::new))
                // core checks every name and subject before it reaches this backend, as NATS would
                // (tokens, no whitespace or control characters): jnats need not check each publish again
                .subjectValidationType(Options.SubjectValidationType.None)
                .connectionName("baton")
                .connectionTimeout(s.connectTimeout())
                .maxReconnects(-1)
                .reportNoResponders()
                .errorListener(new LoggingErrorListener());
        if (s.user() != null) b.userInfo(s.user(), s.password());
        if (s.token() != null) b.token(s.token().toCharArray());
        if (s.creds() != null) b.credentialPath(s.creds());
        if (s.truststore() != null) {
            b.truststorePath(s.truststore());
            if (s.truststorePassword() != null) b.truststorePassword(s.truststorePassword().toCharArray());
        }
        if (s.keystore() != null) b.keystorePath(s.keystore()).keystorePassword(s.keystorePassword().toCharArray());
        return b.build();
    }

    @Override
    public Set<Capability> capabilities() {
        return settings.history() ? CAPABILITIES : CAPABILITIES_WITHOUT_HISTORY;
    }

    @Override
    public QueueChannel queue(String name, QueueOptions options) {
        ensureOpen();
        JetStreamQueue queue = queues.get(name);
        if (queue != null) return queue;
        if (options.overflow() == Overflow.DROP_OLDEST) {
            throw new UnsupportedCapabilityException("queue '" + name + "': overflow DROP_OLDEST is not offered by the nats: backend"
                    + " (a JetStream stream would drop messages in flight and count nothing); use BLOCK or REJECT");
        }
        return queues.computeIfAbsent(name, n -> openQueue(n, options));
    }

    private JetStreamQueue openQueue(String name, QueueOptions options) {
        String stream = names.queueStream(name);
        String subject = names.queueSubject(name);
        StreamConfiguration config = StreamConfiguration.builder()
                .name(stream)
                .description("Baton queue '" + name + "' overflow=" + options.overflow() + " blockTimeoutMillis=" + options.blockTimeout().toMillis())
                .subjects(subject)
                .retentionPolicy(RetentionPolicy.WorkQueue)
                .storageType(StorageType.File)
                .replicas(settings.replicas())
                .maxMessages(options.maxLength())
                .maxBytes(options.maxBytes())
                .discardPolicy(DiscardPolicy.New)
                .duplicateWindow(options.dedupeWindow())
                .build();
        StreamInfo info = ensureStream(config);
        // a queue that exists keeps its options: read its overflow back from the stream
        Overflow overflow = options.overflow();
        Duration blockTimeout = options.blockTimeout();
        Matcher m = OVERFLOW.matcher(String.valueOf(info.getConfiguration().getDescription()));
        if (m.find()) {
            overflow = Overflow.valueOf(m.group(1));
            blockTimeout = Duration.ofMillis(Long.parseLong(m.group(2)));
        }
        ensureConsumer(stream, ConsumerConfiguration.builder()
                .durable(NatsNames.QUEUE_CONSUMER)
                .description("Baton consumers of queue '" + name + "'")
                .deliverPolicy(DeliverPolicy.All)
                .build(), name);
        JetStreamQueue queue = new JetStreamQueue(this, name, stream, subject, overflow, blockTimeout);
        sources.add(queue);
        return queue;
    }

    /** The stream {@code config} names: the existing one, or created with {@code config}. */
    StreamInfo ensureStream(StreamConfiguration config) {
        try {
            try {
                return management.getStreamInfo(config.getName());
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != API_STREAM_NOT_FOUND) throw e;
            }
            try {
                return management.addStream(config);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != API_STREAM_NAME_IN_USE) throw e;
                return management.getStreamInfo(config.getName()); // created meanwhile by another connection
            }
        } catch (IOException | JetStreamApiException e) {
            throw translate(e, "creating stream " + config.getName());
        }
    }

    /**
     * The durable pull consumer {@code base} names on {@code stream}, with explicit acks, the
     * configured ack wait and no delivery limit (core dead-letters by attempt); created if missing.
     *
     * @return the existing consumer's filter subject, or null if it was created now
     */
    String ensureConsumer(String stream, ConsumerConfiguration base, String forWhat) {
        try {
            try {
                return String.valueOf(management.getConsumerInfo(stream, base.getDurable()).getConsumerConfiguration().getFilterSubject());
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != API_CONSUMER_NOT_FOUND) throw e;
            }
            management.addOrUpdateConsumer(stream, ConsumerConfiguration.builder(base)
                    .ackPolicy(AckPolicy.Explicit)
                    .ackWait(settings.ackWait())
                    .maxDeliver(-1)
                    .maxAckPending(1_000_000)
                    .build());
            return null;
        } catch (IOException | JetStreamApiException e) {
            throw translate(e, "creating the JetStream consumer of " + forWhat);
        }
    }

    private void ensureTopicsStream() {
        Duration duplicateWindow = settings.historyAge().compareTo(Duration.ofMinutes(2)) < 0 ? settings.historyAge() : Duration.ofMinutes(2);
        ensureStream(StreamConfiguration.builder()
                .name(names.topicsStream())
                .description("Baton topics under '" + names.prefix() + "': history and durable subscriptions")
                .subjects(names.topicSubject(">"))
                .retentionPolicy(RetentionPolicy.Limits)
                .storageType(StorageType.File)
                .replicas(settings.replicas())
                .maxMessages(settings.historyMessages())
                .maxBytes(settings.historyBytes())
                .maxAge(settings.historyAge())
                .discardPolicy(DiscardPolicy.Old)
                .duplicateWindow(duplicateWindow)
                .build());
    }

    /**
     * With {@code history=false}, a topics stream that an earlier Baton with history left on this
     * prefix still captures every publish (NATS stores by subject, whoever publishes): said once,
     * since it costs what history=false is meant to save.
     */
    private void warnIfTopicsAreStillStored() {
        try {
            management.getStreamInfo(names.topicsStream());
            log.warn("history=false, but stream {} still captures the topics under '{}.t.': every publish is stored."
                    + " Delete the stream (nats stream rm {}) or use another prefix", names.topicsStream(), names.prefix(), names.topicsStream());
        } catch (JetStreamApiException e) {
            // no such stream: nothing stores the topics
        } catch (IOException e) {
            log.debug("could not look for stream {}", names.topicsStream(), e);
        }
    }

    /** The idle pull subscriptions of one JetStream consumer, shared by every source of it on this connection. */
    ConcurrentLinkedDeque<JetStreamSource.Puller> pullersOf(String stream, String consumer) {
        return pullers.computeIfAbsent(stream + " " + consumer, k -> new ConcurrentLinkedDeque<>());
    }

    /** The deliveries of one JetStream consumer that this connection counts as no attempt, shared like its pull subscriptions. */
    Map<Long, Integer> releasesOf(String stream, String consumer) {
        return releases.computeIfAbsent(stream + " " + consumer, k -> new ConcurrentHashMap<>());
    }

    void register(JetStreamSource source) {
        sources.add(source);
    }

    @Override
    public TopicChannel topics() {
        return topics;
    }

    @Override
    public RpcChannel rpc() {
        return rpc;
    }

    /**
     * Refuses a message NATS would refuse: headers and payload together over the server's
     * max_payload. The refusal says "{@code what} '{@code name}' is N bytes".
     */
    void checkSize(Headers headers, byte[] payload, String what, String name) {
        long max = connection.getServerInfo().getMaxPayload();
        int headerBytes = headers == null ? 0 : headers.serializedLength();
        long size = (long) headerBytes + payload.length;
        if (max > 0 && size > max) {
            throw new PayloadTooLargeException(what + " '" + name + "' is " + size + " bytes (payload " + payload.length + " + headers "
                    + headerBytes + "), over the NATS server's max_payload of " + max);
        }
    }

    /** A jnats failure as a Baton exception that says what was being done. */
    BatonException translate(Throwable e, String doing) {
        if (e instanceof BatonException be) return be;
        if (closed) return new BatonClosedException("the nats: backend is closed");
        if (e instanceof JetStreamApiException api && api.getErrorCode() == 503) {
            return new BatonException(doing + " failed: JetStream is not available at " + settings.describe() + " (" + api.getErrorDescription() + ")", e);
        }
        return new BatonException(doing + " failed: " + e.getMessage(), e);
    }

    /** The jnats failure inside a future's wrappers. */
    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException
                || (t instanceof RuntimeException && t.getClass() == RuntimeException.class)) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    NatsSettings settings() { return settings; }

    NatsNames names() { return names; }

    Connection connection() { return connection; }

    JetStream jetStream() { return jetStream; }

    JetStreamManagement management() { return management; }

    Dispatcher dispatcher() { return dispatcher; }

    ScheduledExecutorService timers() { return timers; }

    boolean isClosed() { return closed; }

    void ensureOpen() {
        if (closed) throw new BatonClosedException("the nats: backend is closed");
    }

    /**
     * Returns what this connection holds unacknowledged to JetStream (counted as an attempt), sends
     * what is buffered, and closes the connection; blocked receives end with
     * {@link BatonClosedException}.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        // first every publish that returned is stored (and handed to any pull still open here), then
        // what this connection holds or has buffered goes back to JetStream
        topics.awaitStored(Duration.ofSeconds(5));
        sources.forEach(JetStreamSource::returnAll);
        try {
            connection.flush(Duration.ofSeconds(2)); // acks and naks reach the server before the connection goes
        } catch (Exception e) {
            log.debug("flush before close did not complete", e);
        }
        closeQuietly(connection);
        timers.shutdownNow();
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** jnats's asynchronous errors, to SLF4J. */
    private static final class LoggingErrorListener implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            log.warn("NATS server error: {}", error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            log.debug("NATS connection exception", exp);
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            log.warn("NATS slow consumer: messages were dropped by the client");
        }
    }
}
