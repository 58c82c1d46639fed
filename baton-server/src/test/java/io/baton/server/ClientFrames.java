package io.baton.server;

import io.baton.protocol.Verb;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Valid client frames of every verb (docs/protocol.md, "Verbs"), with their field layout: the
 * material the split test sends whole and the corpus and the fuzzer corrupt. Names carry a
 * {@code tag} so separate runs do not share queues or topics.
 */
final class ClientFrames {
    private ClientFrames() {}

    /** A client frame: verb, stream and fields whose layout is known. */
    record Template(String name, int verb, int stream, Wire fields) {
        byte[] frame() {
            return Wire.frame(verb, stream, fields.bytes());
        }

        /** This frame with other field bytes (its length fitted to them). */
        byte[] frameWith(byte[] otherFields) {
            return Wire.frame(verb, stream, otherFields);
        }

        Wire.Field field(String fieldName) {
            return fields.fields().stream().filter(f -> f.name().equals(fieldName)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(name + " has no field " + fieldName));
        }
    }

    static final Map<String, String> HEADERS = Map.of("h", "v");
    static final long TIMESTAMP = 1_700_000_000_000L;

    static Template hello(int stream) {
        return new Template("HELLO", Verb.HELLO, stream,
                new Wire().u16("protocol version", Verb.PROTOCOL_VERSION).str("client name", "fuzz").u8("auth", Wire.Kind.ENUM, 0));
    }

    static Template helloWithToken(int stream) {
        return new Template("HELLO(token)", Verb.HELLO, stream, new Wire().u16("protocol version", Verb.PROTOCOL_VERSION)
                .str("client name", "fuzz").u8("auth", Wire.Kind.ENUM, 1).str("token", "t0ken"));
    }

    static Template helloWithPassword(int stream) {
        return new Template("HELLO(user)", Verb.HELLO, stream, new Wire().u16("protocol version", Verb.PROTOCOL_VERSION)
                .str("client name", "fuzz").u8("auth", Wire.Kind.ENUM, 2).str("user", "alice").str("password", "secret"));
    }

    static Template ping(int stream) {
        return new Template("PING", Verb.PING, stream, new Wire());
    }

    static Template bye(int stream) {
        return new Template("BYE", Verb.BYE, stream, new Wire());
    }

    static Template queue(int stream, String queue) {
        return new Template("QUEUE", Verb.QUEUE, stream, new Wire().str("queue", queue).i64("maxLength", 1000).i64("maxBytes", 1 << 20)
                .u8("overflow", Wire.Kind.ENUM, 1).i64("blockTimeoutMillis", 0).i64("dedupeWindowMillis", 0));
    }

    static Template send(int stream, String queue, String payload) {
        return new Template("SEND", Verb.SEND, stream, new Wire().str("queue", queue).i64("deliverAt", 0)
                .envelope(queue, "id-" + stream, "key", HEADERS, TIMESTAMP, payload.getBytes(StandardCharsets.UTF_8)));
    }

    static Template fetch(int stream, String queue, int max, long waitMillis, long... acks) {
        return new Template("FETCH", Verb.FETCH, stream, new Wire().u8("source", Wire.Kind.ENUM, Verb.SOURCE_QUEUE).str("source name", queue)
                .u16("max", max).u32("waitMillis", waitMillis).u32("leaseMillis", 30_000).tokens(acks));
    }

    static Template ack(int stream, String queue, long... tokens) {
        return new Template("ACK", Verb.ACK, stream, new Wire().u8("source", Wire.Kind.ENUM, Verb.SOURCE_QUEUE).str("source name", queue).tokens(tokens));
    }

    static Template nack(int stream, String queue, long token) {
        return new Template("NACK", Verb.NACK, stream, new Wire().u8("source", Wire.Kind.ENUM, Verb.SOURCE_QUEUE).str("source name", queue)
                .i64("token", token).u32("delayMillis", 10));
    }

    static Template release(int stream, String queue, long token) {
        return new Template("RELEASE", Verb.RELEASE, stream, new Wire().u8("source", Wire.Kind.ENUM, Verb.SOURCE_QUEUE).str("source name", queue)
                .i64("token", token));
    }

    static Template extend(int stream, String queue, long token) {
        return new Template("EXTEND", Verb.EXTEND, stream, new Wire().u8("source", Wire.Kind.ENUM, Verb.SOURCE_QUEUE).str("source name", queue)
                .i64("token", token).u32("leaseMillis", 1000));
    }

    static Template stats(int stream, String queue) {
        return new Template("STATS", Verb.STATS, stream, new Wire().str("queue", queue));
    }

    static Template publish(int stream, String subject, String payload) {
        return new Template("PUBLISH", Verb.PUBLISH, stream,
                new Wire().envelope(subject, "id-" + stream, null, HEADERS, TIMESTAMP, payload.getBytes(StandardCharsets.UTF_8)));
    }

    static Template publishAsync(int stream, String subject, String payload) {
        return new Template("PUBLISH_ASYNC", Verb.PUBLISH_ASYNC, stream,
                new Wire().envelope(subject, "id-" + stream, null, HEADERS, TIMESTAMP, payload.getBytes(StandardCharsets.UTF_8)));
    }

    static Template subscribe(int stream, String pattern) {
        return new Template("SUBSCRIBE", Verb.SUBSCRIBE, stream, new Wire().str("pattern", pattern));
    }

    static Template unsubscribe(int stream, int subscription) {
        return new Template("UNSUBSCRIBE", Verb.UNSUBSCRIBE, stream, new Wire().u32("subscription", subscription));
    }

    static Template durable(int stream, String name, String pattern) {
        return new Template("DURABLE", Verb.DURABLE, stream, new Wire().str("name", name).str("pattern", pattern)
                .u8("start", Wire.Kind.ENUM, 1).i64("sequence", 0).i64("timeMillis", 0));
    }

    static Template serve(int stream, String subject) {
        return new Template("SERVE", Verb.SERVE, stream, new Wire().str("subject", subject));
    }

    static Template unserve(int stream, int registration) {
        return new Template("UNSERVE", Verb.UNSERVE, stream, new Wire().u32("registration", registration));
    }

    static Template call(int stream, String subject, long timeoutMillis) {
        return new Template("CALL", Verb.CALL, stream, new Wire().u32("timeoutMillis", timeoutMillis)
                .envelope(subject, null, "key", HEADERS, TIMESTAMP, new byte[] {1, 2, 3}));
    }

    static Template reply(int stream, long callId, String subject) {
        return new Template("REPLY", Verb.REPLY, stream, new Wire().i64("callId", callId)
                .envelope(subject, "r", null, HEADERS, TIMESTAMP, new byte[] {4, 5}));
    }

    static Template cancelRequest(int stream) {
        return new Template("CANCEL_REQUEST", Verb.CANCEL_REQUEST, stream, new Wire());
    }

    /** One valid frame of every client verb, names tagged with {@code tag}. */
    static List<Template> everyVerb(String tag) {
        String q = "fuzz.q." + tag;
        return List.of(hello(1), helloWithToken(2), helloWithPassword(3), ping(4), bye(5),
                queue(10, q), send(11, q, "payload"), fetch(12, q, 1, 0, 7L), ack(13, q, 1L, 2L), nack(14, q, 3L),
                release(15, q, 4L), extend(16, q, 5L), stats(17, q),
                publish(20, "fuzz.t." + tag, "news"), publishAsync(24, "fuzz.t." + tag, "news"), subscribe(21, "fuzz.t." + tag + ".>"), unsubscribe(22, 21),
                durable(23, "fuzz.d." + tag, "fuzz.t." + tag + ".*"),
                serve(30, "fuzz.svc." + tag), unserve(31, 30), call(32, "fuzz.svc." + tag, 100), reply(33, 1, "fuzz.svc." + tag),
                cancelRequest(34));
    }
}
