package io.baton.tck.mem;

import io.baton.tck.QueueTck;

/** Runs {@link QueueTck} against the in-process {@code mem:} backend. */
class MemQueueTckTest extends QueueTck {
    @Override
    protected String url() {
        return "mem:";
    }
}
