/**
 * Baton's conformance suite (TCK): the executable form of the semantics in the design document
 * and the Javadoc of {@code io.baton}.
 *
 * <p>One abstract suite per pattern: {@link io.baton.tck.QueueTck}, {@link io.baton.tck.TopicTck},
 * {@link io.baton.tck.RpcTck} and {@link io.baton.tck.FunctionsTck}, all extending
 * {@link io.baton.tck.BackendTck}. A backend runs them with one small subclass each that returns
 * its URL:
 *
 * <pre>{@code
 * class FileQueueTckTest extends QueueTck {
 *     @Override protected String url() { return "file:" + dir; }
 * }
 * }</pre>
 *
 * <p>Each test that needs an optional feature first checks that the backend declares the
 * matching {@link io.baton.spi.Capability}; it is skipped, with the reason, where the backend does
 * not. A capability a backend declares is therefore a promise the suite holds it to.
 *
 * <p>Thread model: every test gets a fresh connection; handlers record what they see into
 * thread-safe {@link io.baton.tck.Recorder}s and the test thread asserts, waiting with Awaitility
 * for at most {@link io.baton.tck.BackendTck#TIMEOUT}. Assertions never run inside handlers,
 * where a failure would only nack the message. Names are unique per test, so durable backends
 * that keep state between runs do not see one test's messages in another.
 *
 * <p>Deliberately missing: throughput and latency goals. Those are benchmarks and live in
 * {@code baton-bench}; the few elapsed-time checks here are correctness bounds (for example
 * "fails at once, not at the deadline") with wide margins.
 */
package io.baton.tck;
