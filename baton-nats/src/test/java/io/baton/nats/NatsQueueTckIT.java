package io.baton.nats;

import io.baton.ConnectOptions;
import io.baton.tck.QueueTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queue suite over nats://, against the NATS server on this machine. */
class NatsQueueTckIT extends QueueTck {
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
