package io.baton.nats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where Baton's names live on NATS, under one prefix (default {@code baton}) so that Baton's
 * queues, topics and RPC subjects never meet each other or other traffic on the same server:
 *
 * <pre>
 *   queue   NAME      subject  PREFIX.q.NAME       stream  PREFIX_Q_&lt;NAME, '.' as '_'&gt;_&lt;hash&gt;  consumer  baton
 *   topic   SUBJECT   subject  PREFIX.t.SUBJECT    stream  PREFIX_TOPICS (every topic, for history and durables)
 *   durable NAME                                   consumer  D_&lt;NAME, '.' as '_'&gt;_&lt;hash&gt; on PREFIX_TOPICS
 *   RPC     SUBJECT   subject  PREFIX.rpc.SUBJECT  (core NATS, queue group baton-rpc); cancels on PREFIX.cancel
 * </pre>
 *
 * Stream and consumer names cannot hold '.', so the readable part maps '.' to '_'; the hash (64
 * bits of SHA-256 of the exact name) keeps {@code a.b} and {@code a_b} apart and the readable part is cut
 * at 64 characters, so a 255-character Baton name still fits the file system the server names
 * its directories after.
 */
final class NatsNames {
    static final String QUEUE_CONSUMER = "baton";
    private static final int READABLE = 64;

    private final String prefix;

    NatsNames(String prefix) {
        this.prefix = prefix;
    }

    String prefix() { return prefix; }

    String queueSubject(String queue) { return prefix + ".q." + queue; }

    String queueStream(String queue) { return prefix + "_Q_" + encode(queue); }

    String topicSubject(String subject) { return prefix + ".t." + subject; }

    /** The topic subject of a NATS subject under {@code PREFIX.t.}. */
    String topicOf(String natsSubject) { return natsSubject.substring(prefix.length() + 3); }

    String topicsStream() { return prefix + "_TOPICS"; }

    String durableConsumer(String name) { return "D_" + encode(name); }

    String rpcSubject(String subject) { return prefix + ".rpc." + subject; }

    /** Every stream this prefix owns starts with this. */
    String streamNamePrefix() { return prefix + "_"; }

    /** A name usable as a stream or consumer name, readable and unique per Baton name. */
    static String encode(String name) {
        String readable = name.replace('.', '_');
        if (readable.length() > READABLE) readable = readable.substring(0, READABLE);
        return readable + "_" + hash(name);
    }

    private static String hash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /**
     * A prefix is one subject token of letters, digits, '-' and '_' (no '.': stream names could not
     * tell {@code a.b} from {@code a_b}), at most 32 characters.
     */
    static boolean validPrefix(String prefix) {
        if (prefix.isEmpty() || prefix.length() > 32) return false;
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) return false;
        }
        return true;
    }
}
