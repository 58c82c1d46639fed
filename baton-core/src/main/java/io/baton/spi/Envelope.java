package io.baton.spi;

import java.util.Map;
import java.util.Objects;

/**
 * One message as a backend sees it: bytes plus what travels with them. The payload is owned by
 * the envelope once built: neither side changes it afterwards.
 *
 * @param subject   the queue name, or the published subject, or the RPC subject
 * @param id        the sender-given id (deduplication), or null
 * @param key       the ordering key, or null
 * @param headers   application and Baton headers; never null, unmodifiable
 * @param payload   the encoded body; never null
 * @param timestamp epoch millis when it was sent
 */
public record Envelope(String subject, String id, String key, Map<String, String> headers, byte[] payload, long timestamp) {

    public Envelope {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(payload, "payload");
    }

    /** An envelope with only a subject and a payload, stamped now. */
    public static Envelope of(String subject, byte[] payload) {
        return new Envelope(subject, null, null, Map.of(), payload, System.currentTimeMillis());
    }

    /**
     * The RPC reply that carries a failure instead of a result: the error headers
     * ({@code baton-error-type}, {@code -message}, {@code -kind}) core turns back into an exception
     * on the caller's side, and no payload.
     *
     * @param kind Baton's own kind of failure ({@code no-server}, {@code deadline}, ...), or null for a
     *             failure that reaches the caller as {@code RemoteException}
     * @param message the failure's message, or null
     */
    public static Envelope rpcError(String subject, String kind, String type, String message) {
        Map<String, String> headers = new java.util.HashMap<>();
        headers.put(io.baton.Headers.RPC_ERROR_TYPE, type);
        if (message != null) headers.put(io.baton.Headers.RPC_ERROR_MESSAGE, message);
        if (kind != null) headers.put(io.baton.Headers.RPC_ERROR_KIND, kind);
        return new Envelope(subject, null, null, Map.copyOf(headers), new byte[0], System.currentTimeMillis());
    }

    /** A copy with different headers. */
    public Envelope withHeaders(Map<String, String> newHeaders) {
        return new Envelope(subject, id, key, Map.copyOf(newHeaders), payload, timestamp);
    }

    /** A copy with a different subject. */
    public Envelope withSubject(String newSubject) {
        return new Envelope(newSubject, id, key, headers, payload, timestamp);
    }
}
