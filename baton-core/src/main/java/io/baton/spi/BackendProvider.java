package io.baton.spi;

/**
 * Opens backends for one URL scheme. Found through {@link java.util.ServiceLoader}: list the
 * implementation in {@code META-INF/services/io.baton.spi.BackendProvider}.
 */
public interface BackendProvider {

    /** The URL scheme handled, without the colon: {@code mem}, {@code file}, {@code nats}... */
    String scheme();

    /**
     * Opens a backend for {@code url}.
     *
     * @throws io.baton.BatonException if it cannot be opened (with the reason)
     */
    Backend open(String url);
}
