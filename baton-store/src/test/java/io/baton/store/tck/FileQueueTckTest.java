package io.baton.store.tck;

import io.baton.tck.QueueTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The queue suite on the file: backend, one data directory for the class. */
class FileQueueTckTest extends QueueTck {
    @TempDir
    static Path dir;

    @Override
    protected String url() {
        return "file:" + dir;
    }
}
