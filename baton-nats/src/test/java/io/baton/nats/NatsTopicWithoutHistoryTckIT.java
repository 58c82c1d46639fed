package io.baton.nats;

import io.baton.ConnectOptions;
import io.baton.tck.TopicTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The topic suite over {@code nats://...?history=false}: topics on core NATS alone. The suite skips
 * what the backend then does not declare (durable subscriptions, replay).
 */
class NatsTopicWithoutHistoryTckIT extends TopicTck {
    @RegisterExtension
    static final NatsServer server = new NatsServer();

    @Override
    protected String url() {
        return server.url() + "&history=false";
    }

    @Override
    protected ConnectOptions connectOptions() {
        return NatsServer.connectOptions();
    }
}
