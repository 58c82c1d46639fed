package io.baton.store.tck;

import io.baton.tck.TopicTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The topic suite on the file: backend, one data directory for the class. */
class FileTopicTckTest extends TopicTck {
    @TempDir
    static Path dir;

    @Override
    protected String url() {
        return "file:" + dir;
    }
}
