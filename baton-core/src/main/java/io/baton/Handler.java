package io.baton;

/**
 * A function bound to a queue or topic. Runs on a virtual thread; blocking is fine.
 * Returning normally acknowledges the message; throwing nacks it.
 */
@FunctionalInterface
public interface Handler<T> {
    void handle(T value) throws Exception;
}
