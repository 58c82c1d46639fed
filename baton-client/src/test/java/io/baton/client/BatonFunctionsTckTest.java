package io.baton.client;

import io.baton.tck.FunctionsTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The functions suite over baton://, against a server on file: storage started for the class. */
class BatonFunctionsTckTest extends FunctionsTck {
    @RegisterExtension
    static final BatonServerExtension server = new BatonServerExtension();

    @Override
    protected String url() {
        return server.url();
    }
}
