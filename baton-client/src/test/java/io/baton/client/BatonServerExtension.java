package io.baton.client;

import io.baton.server.BatonServer;
import io.baton.server.ServerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Baton server for a test class, on a free port on loopback: durable {@code file:} storage in a
 * fresh directory, or ({@link #inMemory()}) {@code mem:} storage.
 */
final class BatonServerExtension implements BeforeAllCallback, AfterAllCallback {
    private final boolean inMemory;
    private Path dir;
    private BatonServer server;

    BatonServerExtension() {
        this(false);
    }

    private BatonServerExtension(boolean inMemory) {
        this.inMemory = inMemory;
    }

    /** A server on {@code mem:} storage: it fans a publish out on the publisher's I/O thread, as the file: one does not. */
    static BatonServerExtension inMemory() {
        return new BatonServerExtension(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("baton-server-test-");
        start();
    }

    private void start() {
        server = BatonServer.start(ServerOptions.builder().port(0).storage(inMemory ? "mem:" : "file:" + dir).build());
    }

    /** Stops the server and starts it again on the same storage (on a new port). */
    void restart() {
        server.close();
        start();
    }

    String url() {
        return "baton://127.0.0.1:" + server.port();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        server.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
