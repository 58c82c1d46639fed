package io.baton.nats;

import io.baton.ConnectOptions;
import io.baton.tck.TopicTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The topic suite over nats://, against the NATS server on this machine. */
class NatsTopicTckIT extends TopicTck {
    @RegisterExtension
    static final NatsServer server = new NatsServer();

    @Override
    protected String url() {
        return server.url();
    }

    @Override
    protected ConnectOptions connectOptions() {
        return NatsServer.connectOptions();
    }
}
