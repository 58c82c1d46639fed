package io.baton;

/** What {@code send} does when a queue is at its {@link QueueOptions#maxLength()} or {@link QueueOptions#maxBytes()}. */
public enum Overflow {
    /** Wait for space, up to {@link QueueOptions#blockTimeout()}, then throw {@link QueueFullException}. */
    BLOCK,
    /** Throw {@link QueueFullException} at once. */
    REJECT,
    /** Drop the oldest waiting message to make room; counted in {@link QueueStats#dropped()}. */
    DROP_OLDEST
}
