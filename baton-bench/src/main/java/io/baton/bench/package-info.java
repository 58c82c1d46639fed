/**
 * Baton's benchmarks. Each one runs a Baton path side by side with the peer that
 * {@code DESIGN.md}'s Performance table compares it with, in the same run, so the result is a
 * ratio rather than an absolute number that depends on the machine.
 *
 * <ul>
 *   <li>{@link io.baton.bench.MemQueueBenchmark}: {@code mem:} queue hand-off, one producer and one
 *       consumer, against an {@link java.util.concurrent.ArrayBlockingQueue} between two threads;</li>
 *   <li>{@link io.baton.bench.MemRpcBenchmark}: in-process RPC round trip, one call in flight;</li>
 *   <li>{@link io.baton.bench.DurableQueueComparison} (a plain harness, not JMH): {@code file:}
 *       queue send + consume + ack against a NATS JetStream work-queue stream and the disk's raw
 *       fsync rate;</li>
 *   <li>{@link io.baton.bench.ServerComparison} (a plain harness): the Baton server through
 *       {@code baton://} against NATS core pub/sub, NATS request/reply, JetStream and a RabbitMQ
 *       durable queue with publisher confirms.</li>
 * </ul>
 * The two plain harnesses share {@link io.baton.bench.SideBySide} (alternating rounds, the
 * producer loops, the table) and {@link io.baton.bench.JetStreamWorkQueue}.
 *
 * <p>Thread model: the JMH benchmark thread is the producer or caller; consumers and RPC servers run
 * where Baton runs them (virtual threads). Build and run as {@code docs/benchmarks.md} says.
 */
package io.baton.bench;
