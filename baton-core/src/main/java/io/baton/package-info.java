/**
 * Baton's public API: queues, topics and RPC between functions, one small set of types for every
 * backend.
 *
 * <p>Start at {@link io.baton.Baton#connect(String)}. {@link io.baton.Queue} hands work to one of
 * many competing consumers (at least once, acknowledged, redelivered, dead-lettered);
 * {@link io.baton.Topic} copies each message to every matching subscriber; RPC
 * ({@link io.baton.Baton#call}) gets a function's result or error back within a deadline.
 *
 * <p>Thread model: every handler runs on a virtual thread owned by the connection, with a
 * per-function concurrency limit. Settings are immutable {@code *Options} objects with builders.
 * Every failure a caller can act on has its own unchecked exception, all under
 * {@link io.baton.BatonException}.
 */
package io.baton;
