package io.baton.client;

import io.baton.tck.RpcTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rpc suite over baton://, against a server on file: storage started for the class. */
class BatonRpcTckTest extends RpcTck {
    @RegisterExtension
    static final BatonServerExtension server = new BatonServerExtension();

    @Override
    protected String url() {
        return server.url();
    }

    /** Two hops (caller to server, server to the serving client) on a loaded 2-core machine. */
    @Override
    protected java.time.Duration transitAllowance() {
        return java.time.Duration.ofMillis(50);
    }
}
