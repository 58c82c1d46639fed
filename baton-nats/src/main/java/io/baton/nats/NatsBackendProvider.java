package io.baton.nats;

import io.baton.spi.Backend;
import io.baton.spi.BackendProvider;

/**
 * Opens {@code nats://HOST[:PORT][,HOST[:PORT]...]} backends on NATS with JetStream (port 4222 by
 * default). Parameters, all optional: {@code user=U&password=P}, {@code token=T} or
 * {@code creds=FILE} (a NATS credentials file); {@code tls=true}, {@code truststore=JKS},
 * {@code truststorePassword}, {@code keystore=JKS&keystorePassword=PW}; {@code prefix=baton} (the
 * subject and stream prefix of everything Baton creates); {@code replicas=1} (of the streams
 * created); {@code ackWaitSeconds=30} (how soon JetStream redelivers what a vanished process held);
 * {@code connectTimeoutMillis=5000}; {@code historyMessages}, {@code historyBytes},
 * {@code historyAgeSeconds} (topic history, defaults 100,000, 64 MiB, 1 hour). See docs/backends.md.
 */
public final class NatsBackendProvider implements BackendProvider {

    @Override
    public String scheme() {
        return "nats";
    }

    @Override
    public Backend open(String url) {
        return NatsBackend.open(NatsSettings.parse(url));
    }
}
