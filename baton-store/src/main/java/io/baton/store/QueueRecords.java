package io.baton.store;

import io.baton.PayloadTooLargeException;
import io.baton.spi.Envelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The payloads of the log records a {@code file:} backend writes for its queues and topics. All
 * integers big-endian; a string is a u16 length (0xFFFF for null) and UTF-8 bytes.
 *
 * <pre>
 * SEND        (type 1)  queue:str  seq:i64  deliverAt:i64  id:str  key:str  timestamp:i64
 *                       headerCount:u16 (name:str value:str)*  payloadLength:i32  payload
 * ACK         (type 2)  queue:str  seq:i64
 * RETURN      (type 3)  queue:str  seq:i64  attempts:i32  dueAt:i64      (nacked or lease expired)
 * DISCARD     (type 4)  queue:str  seq:i64                                (dropped oldest, duplicate id)
 * DELIVER     (type 5)  queue:str  seq:i64  attempts:i32  dueAt:i64 (0)  (leased to a consumer)
 * PUBLISH     (type 6)  as SEND, with the subject in place of the queue and deliverAt 0
 * SUB_ACK     (type 7)  as ACK, for a durable subscription: its name in place of the queue
 * SUB_RETURN  (type 8)  as RETURN, likewise
 * SUB_DISCARD (type 9)  as DISCARD, likewise
 * SUB_DELIVER (type 10) as DELIVER, likewise
 * CHECKPOINT  (type 11) topicNextSeq:i64   (written before segments are deleted)
 * </pre>
 */
final class QueueRecords {
    static final int SEND = 1;
    static final int ACK = 2;
    static final int RETURN = 3;
    static final int DISCARD = 4;
    static final int DELIVER = 5;
    static final int PUBLISH = 6;
    static final int CHECKPOINT = 11;
    private static final int NULL = 0xFFFF;

    /** The record types of the changes to one kind of message store: queues, or durable subscriptions. */
    record ChangeTypes(int ack, int returned, int discard, int deliver) {
        static final ChangeTypes QUEUE = new ChangeTypes(ACK, RETURN, DISCARD, DELIVER);
        static final ChangeTypes SUBSCRIPTION = new ChangeTypes(7, 8, 9, 10);

        boolean contains(int type) {
            return type == ack || type == returned || type == discard || type == deliver;
        }

        /** The queue change type ({@link #ACK}...) that {@code type} of this kind stands for. */
        int asQueueType(int type) {
            return type - ack + ACK;
        }
    }

    private QueueRecords() {}

    /** A decoded SEND. */
    record Send(String queue, long seq, long deliverAt, Envelope envelope) {}

    /** A decoded ACK, RETURN or DISCARD: {@code attempts} and {@code dueAt} only for RETURN. */
    record Change(String queue, long seq, int attempts, long dueAt) {}

    static byte[] send(String queue, long seq, long deliverAt, Envelope e) {
        int size = str(queue) + 8 + 8 + str(e.id()) + str(e.key()) + 8 + 2 + 4 + e.payload().length;
        for (Map.Entry<String, String> h : e.headers().entrySet()) size += str(h.getKey()) + str(h.getValue());
        ByteBuffer b = ByteBuffer.allocate(size);
        put(b, queue);
        b.putLong(seq).putLong(deliverAt);
        put(b, e.id());
        put(b, e.key());
        b.putLong(e.timestamp());
        b.putShort((short) e.headers().size());
        for (Map.Entry<String, String> h : e.headers().entrySet()) {
            put(b, h.getKey());
            put(b, h.getValue());
        }
        b.putInt(e.payload().length).put(e.payload());
        return b.array();
    }

    /** Sets the sequence number of an encoded SEND or PUBLISH of {@code queue}. */
    static void setSendSeq(byte[] record, String queue, long seq) {
        ByteBuffer.wrap(record).putLong(str(queue), seq);
    }

    static Send readSend(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        String queue = get(b);
        long seq = b.getLong();
        long deliverAt = b.getLong();
        String id = get(b);
        String key = get(b);
        long timestamp = b.getLong();
        int headerCount = Short.toUnsignedInt(b.getShort());
        Map<String, String> headers = headerCount == 0 ? Map.of() : new HashMap<>(headerCount * 2);
        for (int i = 0; i < headerCount; i++) headers.put(get(b), get(b));
        byte[] payload = new byte[b.getInt()];
        b.get(payload);
        return new Send(queue, seq, deliverAt, new Envelope(queue, id, key, Map.copyOf(headers), payload, timestamp));
    }

    static byte[] checkpoint(long topicNextSeq) {
        return ByteBuffer.allocate(8).putLong(topicNextSeq).array();
    }

    static long readCheckpoint(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getLong();
    }

    static byte[] ack(String queue, long seq) {
        return change(queue, seq, 0, 0, false);
    }

    static byte[] discard(String queue, long seq) {
        return change(queue, seq, 0, 0, false);
    }

    static byte[] returned(String queue, long seq, int attempts, long dueAt) {
        return change(queue, seq, attempts, dueAt, true);
    }

    private static byte[] change(String queue, long seq, int attempts, long dueAt, boolean withAttempts) {
        ByteBuffer b = ByteBuffer.allocate(str(queue) + 8 + (withAttempts ? 12 : 0));
        put(b, queue);
        b.putLong(seq);
        if (withAttempts) b.putInt(attempts).putLong(dueAt);
        return b.array();
    }

    static Change readChange(int type, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        String queue = get(b);
        long seq = b.getLong();
        if (type == RETURN || type == DELIVER) return new Change(queue, seq, b.getInt(), b.getLong());
        return new Change(queue, seq, 0, 0);
    }

    private static int str(String s) {
        return 2 + (s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length);
    }

    private static void put(ByteBuffer b, String s) {
        if (s == null) {
            b.putShort((short) NULL);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= NULL) {
            throw new PayloadTooLargeException("a name, id, key or header of " + bytes.length
                    + " bytes is too long to store: at most 65,534 bytes of UTF-8");
        }
        b.putShort((short) bytes.length).put(bytes);
    }

    private static String get(ByteBuffer b) {
        int len = Short.toUnsignedInt(b.getShort());
        if (len == NULL) return null;
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
