package io.baton.client;

import io.baton.QueueStats;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Verb;
import io.baton.spi.Envelope;
import io.baton.spi.QueueChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A queue on the server. A send completes when the server has stored it (as durably as its storage promises). */
final class RemoteQueue extends RemoteSource implements QueueChannel {
    private final Duration requestTimeout;

    RemoteQueue(ClientConnection connection, String name, Duration requestTimeout) {
        super(connection, Verb.SOURCE_QUEUE, name);
        this.requestTimeout = requestTimeout;
    }

    @Override
    public CompletableFuture<Void> send(Envelope envelope, long deliverAtMillis) {
        return connection.request(Verb.SEND, out -> {
            FrameWriter.str(out, name());
            out.writeLong(deliverAtMillis);
            FrameWriter.envelope(out, envelope);
        }, in -> null);
    }

    @Override
    public QueueStats stats() {
        return ClientConnection.await(connection.request(Verb.STATS, out -> FrameWriter.str(out, name()),
                in -> new QueueStats(in.i64("waiting"), in.i64("inFlight"), in.i64("sent"), in.i64("acked"),
                        in.i64("redelivered"), in.i64("dropped"), in.i64("rejected"), in.i64("duplicates"))),
                requestTimeout, "reading the stats of '" + name() + "'");
    }
}
