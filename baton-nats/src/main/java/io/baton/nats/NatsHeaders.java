package io.baton.nats;

import io.baton.spi.Envelope;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Envelope}'s metadata as NATS headers, and back. A queue message's sender id is
 * {@code Nats-Msg-Id}, so JetStream deduplicates it; a topic message's id is {@code baton-id}, so
 * distinct publishes sharing an id are all kept. The key travels as {@code baton-key}; every other
 * header as itself. A message's time is JetStream's stored time where JetStream keeps it, and its
 * arrival otherwise (core NATS carries no time); only a message sent long after it was first sent
 * (a dead letter) carries its send time, as {@code baton-time} (epoch millis). A message with
 * nothing to carry travels without a header block (a plain {@code PUB}, which nobody has to parse).
 *
 * <p>NATS header values are printable ASCII on one line. A value that is not (a multi-line error
 * message, non-ASCII text), or that starts with {@code =?}, travels as an RFC 2047 encoded word,
 * {@code =?utf-8?b?BASE64?=}, and is decoded on the way back: any value survives the trip, and plain
 * values stay readable by other NATS clients.
 */
final class NatsHeaders {
    static final String MSG_ID = "Nats-Msg-Id";
    static final String ID = "baton-id";
    static final String KEY = "baton-key";
    static final String TIME = "baton-time";
    /** A message older than this when sent (a dead letter, say) carries its send time. */
    private static final long CARRY_TIME_AFTER_MILLIS = 1_000;
    private static final String ENCODED_START = "=?utf-8?b?";
    private static final String ENCODED_END = "?=";

    private NatsHeaders() {}

    /**
     * @param dedupe true to carry the id as {@code Nats-Msg-Id} (queues), false as {@code baton-id}
     * @return null when there is nothing to carry
     * @throws IllegalArgumentException if a header name cannot be a NATS header name
     */
    static Headers toNats(Envelope envelope, boolean dedupe) {
        boolean carryTime = System.currentTimeMillis() - envelope.timestamp() > CARRY_TIME_AFTER_MILLIS;
        if (envelope.headers().isEmpty() && envelope.id() == null && envelope.key() == null && !carryTime) return null;
        Headers headers = new Headers();
        for (Map.Entry<String, String> h : envelope.headers().entrySet()) {
            checkName(h.getKey());
            headers.add(h.getKey(), encodeValue(h.getValue()));
        }
        if (envelope.id() != null) headers.put(dedupe ? MSG_ID : ID, encodeValue(envelope.id()));
        if (envelope.key() != null) headers.put(KEY, encodeValue(envelope.key()));
        if (carryTime) headers.put(TIME, Long.toString(envelope.timestamp()));
        return headers;
    }

    /** The envelope of a NATS message, with time {@code time}. */
    static Envelope toEnvelope(String subject, Headers headers, byte[] payload, long time) {
        if (headers == null || headers.isEmpty()) {
            return new Envelope(subject, null, null, Map.of(), payload == null ? new byte[0] : payload, time);
        }
        String id = null;
        String key = null;
        Map<String, String> app = new HashMap<>();
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getValue().isEmpty()) continue;
            String name = h.getKey();
            String value = decodeValue(h.getValue().get(0));
            switch (name) {
                case MSG_ID, ID -> id = value;
                case KEY -> key = value;
                case TIME -> time = parseTime(value, time);
                default -> app.put(name, value);
            }
        }
        return new Envelope(subject, id, key, Map.copyOf(app), payload == null ? new byte[0] : payload, time);
    }

    private static long parseTime(String value, long fallback) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void checkName(String name) {
        if (name.isEmpty()) throw new IllegalArgumentException("an empty header name cannot travel over NATS");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126 || c == ':') {
                throw new IllegalArgumentException("header name '" + name + "' cannot travel over NATS: only printable ASCII without ':' or spaces");
            }
        }
    }

    static String encodeValue(String value) {
        boolean plain = !value.startsWith("=?");
        for (int i = 0; plain && i < value.length(); i++) {
            char c = value.charAt(i);
            plain = c >= 32 && c <= 126;
        }
        if (plain) return value;
        return ENCODED_START + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + ENCODED_END;
    }

    static String decodeValue(String value) {
        if (!value.startsWith(ENCODED_START) || !value.endsWith(ENCODED_END) || value.length() < ENCODED_START.length() + ENCODED_END.length()) {
            return value;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(value.substring(ENCODED_START.length(), value.length() - ENCODED_END.length()));
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value; // not one of ours: keep it as it came
        }
    }
}
