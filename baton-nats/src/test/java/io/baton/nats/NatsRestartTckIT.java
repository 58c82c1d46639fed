package io.baton.nats;

import io.baton.ConnectOptions;
import io.baton.tck.RestartTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The restart suite over nats://: a restart closes the backend and opens a new connection; the
 * NATS server keeps the streams.
 */
class NatsRestartTckIT extends RestartTck {
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
