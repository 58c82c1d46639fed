package io.baton.spi;

import java.util.Set;

/**
 * A place messages live: the byte-level contract every backend implements. Everything typed
 * (codecs, proxies, retries and dead-lettering, deadlines, the function runtime) is done once in
 * core above this interface.
 */
public interface Backend extends AutoCloseable {

    /** What this backend can do; the TCK checks exactly these. */
    Set<Capability> capabilities();

    /** The queue {@code name}, created with {@code options} if it does not exist. */
    QueueChannel queue(String name, io.baton.QueueOptions options);

    TopicChannel topics();

    RpcChannel rpc();

    /** Releases everything; blocked receives fail with {@link io.baton.BatonClosedException}. */
    @Override
    void close();
}
