/**
 * The backend SPI: the small, byte-level contract a place where messages live implements.
 *
 * <p>A backend moves {@link io.baton.spi.Envelope}s: {@link io.baton.spi.QueueChannel} stores
 * and leases them, {@link io.baton.spi.TopicChannel} fans them out and keeps durable cursors,
 * {@link io.baton.spi.RpcChannel} carries a request to one server and its reply back. It states
 * what it can do as {@link io.baton.spi.Capability capabilities}; the TCK checks exactly those.
 * Backends are found by URL scheme through {@link java.util.ServiceLoader} and
 * {@link io.baton.spi.BackendProvider}.
 *
 * <p>Deliberately missing: codecs, handlers, retries, dead-lettering, deadlines. Those are done
 * once in core, above this interface, so every backend behaves the same. (Core computes a call's
 * deadline and hands it down as a timeout; {@link io.baton.spi.RpcChannel#call} lets a backend
 * wait for the reply on the caller's thread, but what the caller sees at the timeout, or on an
 * interrupt, is core's, whichever backend waited.) Backends never run user code on their own
 * threads except the non-blocking sinks and request handlers core gives them.
 */
package io.baton.spi;
