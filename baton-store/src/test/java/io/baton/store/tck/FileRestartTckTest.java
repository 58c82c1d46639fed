package io.baton.store.tck;

import io.baton.tck.RestartTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The restart suite on the file: backend. */
class FileRestartTckTest extends RestartTck {
    @TempDir
    static Path dir;

    @Override
    protected String url() {
        return "file:" + dir;
    }
}
