/**
 * Everything done once above the SPI, for every backend: name validation ({@code Subjects}), the
 * JSON codec, the function runtime (pull consumers, ephemeral subscribers and RPC servers on
 * virtual threads), the retry and dead-letter policy ({@code Settlement}), RPC deadlines and
 * errors ({@code RpcClient}), interface-typed RPC and annotation scanning.
 *
 * <p>Thread model: each function owns its virtual threads; backends call back only into
 * non-blocking sinks and request handlers. Not for users: these types may change at any time.
 */
package io.baton.internal;
