package io.baton.tck.mem;

import io.baton.tck.TopicTck;

/** Runs {@link TopicTck} against the in-process {@code mem:} backend. */
class MemTopicTckTest extends TopicTck {
    @Override
    protected String url() {
        return "mem:";
    }
}
