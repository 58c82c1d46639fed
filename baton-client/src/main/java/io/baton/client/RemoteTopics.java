package io.baton.client;

import io.baton.StartPosition;
import io.baton.protocol.ErrorCode;
import io.baton.protocol.FrameWriter;
import io.baton.protocol.Verb;
import io.baton.spi.DeliverySource;
import io.baton.spi.Envelope;
import io.baton.spi.TopicChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Topics on the server: PUBLISH, SUBSCRIBE with MESSAGE pushes, DURABLE consumed by FETCH. */
final class RemoteTopics implements TopicChannel {
    private static final Logger log = LoggerFactory.getLogger(RemoteTopics.class);

    private final ClientConnection connection;
    private final Duration requestTimeout;

    RemoteTopics(ClientConnection connection, Duration requestTimeout) {
        this.connection = connection;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Returns once the message is written to the connection, without a round trip: the server
     * answers a PUBLISH_ASYNC only if it refuses it, and that refusal is thrown by the next publish.
     */
    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
        int limit = connection.welcome().maxPayloadBytes();
        if (envelope.payload().length > limit) {
            return CompletableFuture.failedFuture(new io.baton.PayloadTooLargeException("a payload of " + envelope.payload().length
                    + " bytes is over the server's limit of " + limit));
        }
        return connection.sendUnanswered(Verb.PUBLISH_ASYNC, out -> FrameWriter.envelope(out, envelope));
    }

    @Override
    public AutoCloseable subscribe(String pattern, EnvelopeSink sink) {
        return connection.openStream(Verb.SUBSCRIBE, out -> FrameWriter.str(out, pattern), (verb, in) -> {
            if (verb == Verb.MESSAGE) {
                long seq = in.i64("sequence");
                sink.accept(in.envelope(Integer.MAX_VALUE), seq);
            } else if (verb == Verb.SUBSCRIPTION_CLOSED) {
                ErrorCode code = ErrorCode.of(in.u16("code"));
                String message = in.str("message");
                log.warn("the server closed the subscription to '{}': {} {}", pattern, code, message);
                sink.endedByBackend(code.toException(message)); // SLOW_CONSUMER: SlowConsumerException
            }
        }, Verb.UNSUBSCRIBE, requestTimeout, "subscribing to '" + pattern + "'");
    }

    @Override
    public DeliverySource durable(String name, String pattern, StartPosition start) {
        connection.openState("durable " + name, Verb.DURABLE, out -> {
            FrameWriter.str(out, name);
            FrameWriter.str(out, pattern);
            out.writeByte(start.kind().ordinal());
            out.writeLong(start.sequence());
            out.writeLong(start.time() == null ? 0 : start.time().toEpochMilli());
        }, requestTimeout, "opening durable subscription '" + name + "'");
        return new RemoteSource(connection, Verb.SOURCE_DURABLE, name);
    }
}
