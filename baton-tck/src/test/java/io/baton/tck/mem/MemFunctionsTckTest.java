package io.baton.tck.mem;

import io.baton.tck.FunctionsTck;

/** Runs {@link FunctionsTck} against the in-process {@code mem:} backend. */
class MemFunctionsTckTest extends FunctionsTck {
    @Override
    protected String url() {
        return "mem:";
    }
}
