/**
 * The {@code nats://} backend: Baton on NATS core and JetStream, for users who outgrow one machine.
 *
 * <p>A tour: {@link io.baton.nats.NatsBackendProvider} parses the URL ({@code NatsSettings}) and
 * opens a {@code NatsBackend}, one jnats connection. Queues are JetStream work-queue streams
 * ({@code JetStreamQueue}); topics are core NATS subjects, captured by one JetStream stream for
 * history and durable subscriptions ({@code NatsTopics}); both are consumed through durable pull
 * consumers ({@code JetStreamSource}, which also keeps each delivery's lease). RPC is core NATS
 * request/reply with a queue group ({@code NatsRpc}). {@code NatsNames} says where each name
 * lives; {@code NatsHeaders} maps an envelope's metadata to NATS headers.
 *
 * <p>Threads: jnats's own, plus one dispatcher thread that runs core's non-blocking sinks and
 * request handlers, and one timer thread for leases and blocked sends. Handlers never run here.
 *
 * <p>Deliberately missing, and so not declared: delayed delivery, key order, Baton's exact queue
 * bounds. Dead-lettering is core's, above the SPI, as on every backend.
 */
package io.baton.nats;
