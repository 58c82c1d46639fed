package io.baton.client;

import io.baton.tck.TopicTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The topic suite over baton://, against a server on file: storage started for the class. */
class BatonTopicTckTest extends TopicTck {
    @RegisterExtension
    static final BatonServerExtension server = new BatonServerExtension();

    @Override
    protected String url() {
        return server.url();
    }
}
