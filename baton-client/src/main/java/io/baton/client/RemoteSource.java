package io.baton.client;

import io.baton.protocol.FrameReader;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Verb;
import io.baton.spi.Delivery;
import io.baton.spi.DeliverySource;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A queue or durable subscription on the server, consumed by FETCH: each receive is a grant of
 * {@code max} credits for at most {@code wait}, and acks ride on the next FETCH. Acks, nacks and
 * releases on their own are written without waiting for their answer (a failure is logged: a lost
 * ack means a redelivery, never a lost message).
 */
class RemoteSource implements DeliverySource {
    /** How much longer than the server's wait the client waits for a FETCH's answer. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(10);

    protected final ClientConnection connection;
    private final int kind;
    private final String name;

    RemoteSource(ClientConnection connection, int kind, String name) {
        this.connection = connection;
        this.kind = kind;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    private void source(ByteBuf out) {
        out.writeByte(kind);
        FrameWriter.str(out, name);
    }

    @Override
    public List<Delivery> receive(int max, Duration wait, Duration lease) throws InterruptedException {
        return ackAndReceive(new long[0], 0, max, wait, lease);
    }

    @Override
    public List<Delivery> ackAndReceive(long[] tokens, int count, int max, Duration wait, Duration lease) throws InterruptedException {
        int credits = Math.min(Math.max(max, 1), Verb.MAX_FETCH);
        long waitMillis = Math.min(Math.max(wait.toMillis(), 0), Integer.MAX_VALUE);
        long leaseMillis = Math.min(Math.max(lease.toMillis(), 1), Integer.MAX_VALUE);
        int acks = Math.min(count, 0xFFFF);
        // while reconnecting, a consumer waits for the connection instead of failing in a loop; acks of
        // deliveries from a lost connection are moot (the server returned those to the queue)
        if (!connection.awaitConnected(Duration.ofMillis(waitMillis))) return List.of();
        int stream = connection.newStream();
        var answer = connection.request(Verb.FETCH, stream, out -> {
            source(out);
            out.writeShort(credits);
            out.writeInt((int) waitMillis);
            out.writeInt((int) leaseMillis);
            out.writeShort(acks);
            for (int i = 0; i < acks; i++) out.writeLong(tokens[i]);
        }, RemoteSource::readDeliveries);
        if (acks < count) { // more acks than one frame carries: the rest go on their own
            long[] rest = new long[count - acks];
            System.arraycopy(tokens, acks, rest, 0, rest.length);
            ack(rest, rest.length);
        }
        try {
            List<Delivery> got = ClientConnection.awaitInterruptibly(answer, Duration.ofMillis(waitMillis).plus(ANSWER_MARGIN), "fetching from '" + name + "'");
            // BYE makes the server answer a waiting FETCH at once: a receive blocked in it learns the connection is closing
            if (got.isEmpty() && connection.isClosing()) throw new io.baton.BatonClosedException("the connection to " + connection.address() + " was closed");
            return got;
        } catch (io.baton.ConnectionLostException e) {
            return List.of(); // the connection went while this waited: what was delivered goes back and comes again
        } catch (InterruptedException e) {
            // Given up (a consumer closing): the server stops waiting and answers with what it took,
            // which goes back to the queue before this returns, so a consumer opened next finds it there in order.
            connection.write(Verb.CANCEL_REQUEST, stream, out -> { });
            try {
                for (Delivery late : answer.get(ANSWER_MARGIN.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) release(late.token());
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | InterruptedException | io.baton.BatonException late) {
                answer.thenAccept(got -> got.forEach(d -> releaseLater(d.token()))); // it will come back when its lease ends otherwise
            }
            throw e;
        }
    }

    private static List<Delivery> readDeliveries(FrameReader in) {
        int count = in.u16("delivery count");
        List<Delivery> deliveries = new ArrayList<>(Math.min(count, Verb.MAX_FETCH));
        for (int i = 0; i < count; i++) {
            long token = in.i64("token");
            long sequence = in.i64("sequence");
            int attempt = (int) in.u32("attempt");
            deliveries.add(new Delivery(in.envelope(Integer.MAX_VALUE), token, attempt, sequence));
        }
        return deliveries;
    }

    @Override
    public void ack(long token) {
        ack(new long[] {token}, 1);
    }

    @Override
    public void ack(long[] tokens, int count) {
        for (int from = 0; from < count; from += 0xFFFF) {
            int n = Math.min(count - from, 0xFFFF);
            int start = from;
            connection.settle(Verb.ACK, out -> {
                source(out);
                out.writeShort(n);
                for (int i = 0; i < n; i++) out.writeLong(tokens[start + i]);
            }, "ack deliveries of '" + name + "'");
        }
    }

    @Override
    public void nack(long token, Duration delay) {
        long delayMillis = Math.min(Math.max(delay.toMillis(), 0), 0xFFFF_FFFFL);
        connection.settle(Verb.NACK, out -> {
            source(out);
            out.writeLong(token);
            out.writeInt((int) delayMillis);
        }, "nack a delivery of '" + name + "'");
    }

    /**
     * Waits for the server's answer: a consumer that closes releases what it did not start, and a
     * consumer opened next on another thread must find those messages back in the queue, in order.
     */
    @Override
    public void release(long token) {
        ClientConnection.await(connection.request(Verb.RELEASE, out -> {
            source(out);
            out.writeLong(token);
        }, in -> null), ANSWER_MARGIN, "releasing a delivery of '" + name + "'");
    }

    /** For the I/O thread, which must not wait for an answer only it can read. */
    private void releaseLater(long token) {
        connection.settle(Verb.RELEASE, out -> {
            source(out);
            out.writeLong(token);
        }, "release a delivery of '" + name + "'");
    }

    @Override
    public boolean extend(long token, Duration lease) {
        long leaseMillis = Math.min(Math.max(lease.toMillis(), 1), Integer.MAX_VALUE);
        return ClientConnection.await(connection.request(Verb.EXTEND, out -> {
            source(out);
            out.writeLong(token);
            out.writeInt((int) leaseMillis);
        }, in -> in.u8("extended") == 1), ANSWER_MARGIN, "extending a lease of '" + name + "'");
    }
}
