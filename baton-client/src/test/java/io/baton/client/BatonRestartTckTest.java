package io.baton.client;

import io.baton.Baton;
import io.baton.tck.RestartTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The restart suite over baton://: a restart closes the client and restarts the server on its storage. */
class BatonRestartTckTest extends RestartTck {
    @RegisterExtension
    static final BatonServerExtension server = new BatonServerExtension();

    @Override
    protected String url() {
        return server.url();
    }

    @Override
    protected void reconnect() {
        baton.close();
        server.restart();
        baton = Baton.connect(url(), connectOptions());
    }
}
