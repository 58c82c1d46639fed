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

    /** A copy with different headers. */
    public Envelope withHeaders(Map<String, String> newHeaders) {
        return new Envelope(subject, id, key, Map.copyOf(newHeaders), payload, timestamp);
    }

    /** A copy with a different subject. */
    public Envelope withSubject(String newSubject) {
        return new Envelope(newSubject, id, key, headers, payload, timestamp);
    }
}
