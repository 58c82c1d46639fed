package io.baton.client;

import io.baton.tck.TopicTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The topic suite over baton://, against a server on mem: storage: there a publish is fanned out
 * on the I/O thread that read it, and the subscribers' MESSAGE frames carry the envelope's bytes as
 * they came (the file: server fans out on its log's thread and encodes them again).
 */
class BatonTopicOnMemoryServerTckTest extends TopicTck {
    @RegisterExtension
    static final BatonServerExtension server = BatonServerExtension.inMemory();

    @Override
    protected String url() {
        return server.url();
    }
}
