package io.baton.nats;

import io.baton.ConnectOptions;
import io.baton.tck.RpcTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rpc suite over nats://, against the NATS server on this machine. */
class NatsRpcTckIT extends RpcTck {
    @RegisterExtension
    static final NatsServer server = new NatsServer();

    @Override
    protected String url() {
        return server.url();
    }

    @Override
    protected ConnectOptions connectOptions() {
        return NatsServer.connectOptions();
    }

    /** Two hops (caller to the NATS server, server to the serving connection) on a loaded 2-core machine. */
    @Override
    protected java.time.Duration transitAllowance() {
        return java.time.Duration.ofMillis(50);
    }
}
