package io.baton.store.tck;

import io.baton.tck.FunctionsTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The functions suite on the file: backend, one data directory for the class. */
class FileFunctionsTckTest extends FunctionsTck {
    @TempDir
    static Path dir;

    @Override
    protected String url() {
        return "file:" + dir;
    }
}
