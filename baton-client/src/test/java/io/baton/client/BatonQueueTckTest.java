package io.baton.client;

import io.baton.tck.QueueTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queue suite over baton://, against a server on file: storage started for the class. */
class BatonQueueTckTest extends QueueTck {
    @RegisterExtension
    static final BatonServerExtension server = new BatonServerExtension();

    @Override
    protected String url() {
        return server.url();
    }
}
