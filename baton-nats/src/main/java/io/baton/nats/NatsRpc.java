package io.baton.nats;

import io.baton.NoRespondersException;
import io.baton.PayloadTooLargeException;
import io.baton.spi.CancelHooks;
import io.baton.spi.Envelope;
import io.baton.spi.RpcChannel;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.Subscription;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RPC on core NATS request/reply under {@code PREFIX.rpc.}: the servers of a subject subscribe in
 * the queue group {@code baton-rpc}, so NATS gives each request to one of them. A request nobody
 * serves comes back at once as NATS's no-responders status (503), which is
 * {@link NoRespondersException}. The caller's remaining budget travels in the header
 * {@code baton-timeout-ms}, set by core.
 *
 * <p>Cancellation: each request carries a call id ({@code baton-call}). A caller that gives up
 * (cancel, deadline) publishes that id on {@code PREFIX.cancel}, which every serving connection
 * of the prefix hears; the one serving the call runs its cancel hooks. The cancel follows the
 * request from the same connection, so NATS delivers it after the request.
 */
final class NatsRpc implements RpcChannel {
    private static final Logger log = LoggerFactory.getLogger(NatsRpc.class);
    static final String QUEUE_GROUP = "baton-rpc";
    /** jnats's own timeout comes after core's deadline, which is the one the caller sees. */
    private static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(1);

    static final String CALL = "baton-call";

    private final NatsBackend backend;
    private final Map<String, CancelHooks> calls = new ConcurrentHashMap<>();
    private final AtomicBoolean hearingCancels = new AtomicBoolean();
    private final String callIdPrefix = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36) + "-";
    private final AtomicLong callIds = new AtomicLong();

    NatsRpc(NatsBackend backend) {
        this.backend = backend;
    }

    private String cancelSubject() {
        return backend.names().prefix() + ".cancel";
    }

    @Override
    public AutoCloseable serve(String subject, RequestHandler handler) {
        backend.ensureOpen();
        if (hearingCancels.compareAndSet(false, true)) {
            backend.dispatcher().subscribe(cancelSubject(), m -> {
                CancelHooks call = calls.remove(new String(m.getData(), java.nio.charset.StandardCharsets.UTF_8));
                if (call != null) call.cancel();
            });
        }
        Subscription subscription = backend.dispatcher().subscribe(backend.names().rpcSubject(subject), QUEUE_GROUP, m -> {
            String replyTo = m.getReplyTo();
            if (replyTo == null) return; // a publish, not a request: nobody to answer
            Envelope request = NatsHeaders.toEnvelope(subject, m.getHeaders(), m.getData(), System.currentTimeMillis());
            String callId = request.headers().get(CALL);
            CancelHooks call = new CancelHooks();
            if (callId != null) {
                Map<String, String> headers = new java.util.HashMap<>(request.headers());
                headers.remove(CALL);
                request = request.withHeaders(headers);
                calls.put(callId, call);
            }
            handler.onRequest(request, new NatsReply(replyTo, subject, callId, call));
        });
        return () -> {
            if (!backend.isClosed() && subscription.isActive()) {
                backend.dispatcher().unsubscribe(subscription);
                // the server must know before close returns, or a call right after still reaches this server
                backend.connection().flush(Duration.ofSeconds(2));
            }
        };
    }

    /** The way back to one caller: its reply inbox. */
    private final class NatsReply implements Reply {
        private final String replyTo;
        private final String subject;
        private final String callId;
        private final CancelHooks call;
        private final AtomicBoolean sent = new AtomicBoolean();

        NatsReply(String replyTo, String subject, String callId, CancelHooks call) {
            this.replyTo = replyTo;
            this.subject = subject;
            this.callId = callId;
            this.call = call;
        }

        @Override
        public void send(Envelope response) {
            if (!sent.compareAndSet(false, true)) return;
            if (callId != null) calls.remove(callId, call);
            if (backend.isClosed()) return;
            io.nats.client.impl.Headers headers = NatsHeaders.toNats(response, false);
            byte[] payload = response.payload();
            try {
                backend.checkSize(headers, payload, "the reply of", subject);
            } catch (PayloadTooLargeException e) {
                Envelope error = Envelope.rpcError(subject, null, PayloadTooLargeException.class.getName(), e.getMessage());
                headers = NatsHeaders.toNats(error, false);
                payload = new byte[0];
            }
            try {
                backend.connection().publish(replyTo, headers, payload);
            } catch (IllegalStateException e) {
                log.debug("reply to a call of '{}' not sent: {}", subject, e.getMessage());
            }
        }

        @Override
        public void onCancel(Runnable hook) {
            call.add(hook);
        }
    }

    @Override
    public CompletableFuture<Envelope> request(Envelope request, Duration timeout) {
        backend.ensureOpen();
        String subject = request.subject();
        String callId = callIdPrefix + callIds.incrementAndGet();
        io.nats.client.impl.Headers headers = NatsHeaders.toNats(request, false);
        headers = (headers == null ? new io.nats.client.impl.Headers() : headers).put(CALL, callId);
        backend.checkSize(headers, request.payload(), "a request to", subject);
        CompletableFuture<Message> call;
        try {
            call = backend.connection().requestWithTimeout(backend.names().rpcSubject(subject), headers, request.payload(),
                    timeout.plus(TIMEOUT_MARGIN));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(backend.translate(e, "calling '" + subject + "'"));
        }
        CompletableFuture<Envelope> result = new CompletableFuture<>();
        AtomicBoolean answered = new AtomicBoolean();
        call.whenComplete((reply, error) -> {
            answered.set(true);
            if (error == null) {
                result.complete(NatsHeaders.toEnvelope(subject, reply.getHeaders(), reply.getData(), System.currentTimeMillis()));
                return;
            }
            Throwable cause = NatsBackend.unwrap(error);
            if (isNoResponders(cause)) {
                result.completeExceptionally(new NoRespondersException("nothing serves '" + subject + "' on NATS"));
            } else if (cause instanceof CancellationException && !result.isDone()) {
                result.completeExceptionally(new java.util.concurrent.TimeoutException("no reply from '" + subject + "'"));
            } else {
                result.completeExceptionally(backend.translate(cause, "calling '" + subject + "'"));
            }
        });
        // given up by the caller (cancelled, or timed out by core): forget it in jnats, cancel the server side
        result.whenComplete((r, e) -> {
            if (answered.get()) return;
            call.cancel(true);
            if (!backend.isClosed()) {
                try {
                    backend.connection().publish(cancelSubject(), callId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (IllegalStateException closing) {
                    log.debug("cancel of a call to '{}' not sent: {}", subject, closing.getMessage());
                }
            }
        });
        return result;
    }

    private static boolean isNoResponders(Throwable t) {
        return t instanceof JetStreamStatusException s && s.getStatus() != null && s.getStatus().getCode() == 503;
    }
}
