/**
 * {@code baton bench}: one workload (queue, pubsub or rpc) on Baton at any URL and, in the same run,
 * on its peers through their own clients, so that the ratio between them holds on any machine.
 *
 * <p>A tour:
 * <ul>
 *   <li>{@link io.baton.bench.tool.BenchSpec}: the workload as the command line gave it, checked;</li>
 *   <li>{@link io.baton.bench.tool.BenchSystem}: what differs between systems, and only that: how
 *       each sets itself up for a workload. {@link io.baton.bench.tool.BatonTarget} (the public API
 *       on any URL), {@link io.baton.bench.tool.ArrayBlockingQueuePeer} ({@code jdk}),
 *       {@link io.baton.bench.tool.JnatsPeer} ({@code nats}), {@link io.baton.bench.tool.RabbitMqPeer}
 *       ({@code rabbitmq});</li>
 *   <li>{@code BenchRun}: the loop every system runs: producers with a window of credits and, at a
 *       fixed rate, a {@code Pacer}; the {@link io.baton.bench.tool.Meter} that every consumer reports
 *       to; a tick a second; the end, and waiting until everything sent has arrived;</li>
 *   <li>{@link io.baton.bench.tool.Bench}: probes the peers (skipping, with the reason, those that
 *       cannot run), then alternates rounds; {@link io.baton.bench.tool.SystemResult}: medians,
 *       spreads, ratios;</li>
 *   <li>{@link io.baton.bench.tool.MarkdownReport}, {@link io.baton.bench.tool.CsvReport},
 *       {@link io.baton.bench.tool.ChartReport}: results.md, results.csv, chart.png.</li>
 * </ul>
 *
 * <p>Threads: producers are platform threads; consumers run where each system runs them (Baton's
 * virtual threads, jnats's dispatcher, the RabbitMQ client's pool, the jdk peer's platform
 * threads); the bench's own thread ticks, prints and writes the results. Latency: every message
 * carries its send time (at a fixed rate, its <em>intended</em> send time, which corrects for
 * coordinated omission) and the consumer's {@code System.nanoTime()} is compared with it: all
 * systems run in this one JVM, on one clock.
 *
 * <p>Not here: several JVMs or machines (run a Baton server elsewhere and point {@code --url} at it),
 * JMH (the micro-benchmarks next door are for the code's hot paths; this is for systems).
 */
package io.baton.bench.tool;
