package io.baton.store.tck;

import io.baton.tck.RpcTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The rpc suite on the file: backend, one data directory for the class. */
class FileRpcTckTest extends RpcTck {
    @TempDir
    static Path dir;

    @Override
    protected String url() {
        return "file:" + dir;
    }
}
