package io.baton.tck.mem;

import io.baton.tck.RpcTck;

/** Runs {@link RpcTck} against the in-process {@code mem:} backend. */
class MemRpcTckTest extends RpcTck {
    @Override
    protected String url() {
        return "mem:";
    }
}
