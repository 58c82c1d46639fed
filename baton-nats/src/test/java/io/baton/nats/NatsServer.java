package io.baton.nats;

import io.baton.ConnectOptions;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The NATS server of the integration tests: {@code nats://127.0.0.1:4222}, or {@code BATON_NATS_URL}.
 * Each test class gets a prefix of its own, so its streams and subjects meet no other run's, and
 * every stream under that prefix is deleted after the class.
 *
 * <p>No server reachable: the class is skipped, saying so; with {@code BATON_REQUIRE_SERVERS=1} (or
 * {@code -Dbaton.requireServers=true}), as in CI, it fails instead.
 */
final class NatsServer implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    static final String SERVER = firstNonNull(System.getenv("BATON_NATS_URL"), System.getProperty("baton.nats.url"), "nats://127.0.0.1:4222");

    private String prefix;
    private String unreachable; // why the server cannot be used, or null

    @Override
    public void beforeAll(ExtensionContext context) {
        unreachable = probe();
        if (unreachable != null) {
            if (required()) Assertions.fail(unreachable + "; BATON_REQUIRE_SERVERS is set, so this fails instead of skipping");
            System.err.println("[WARNING] " + context.getDisplayName() + ": " + unreachable + ": its tests are skipped"
                    + " (set BATON_REQUIRE_SERVERS=1 to make this a failure)");
            return;
        }
        prefix = "bt" + Long.toString(System.currentTimeMillis(), 36) + "_" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
    }

    /** Each test is skipped, with the reason, when there is no server: the skips show in the counts. */
    @Override
    public void beforeEach(ExtensionContext context) {
        if (unreachable != null) Assumptions.abort(unreachable + ": NATS integration test skipped (set BATON_REQUIRE_SERVERS=1 to make this a failure)");
    }

    /** Null if the server accepts a TCP connection, else why not. */
    private static String probe() {
        URI uri = URI.create(SERVER);
        int port = uri.getPort() < 0 ? 4222 : uri.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), 1_000);
            return null;
        } catch (IOException e) {
            return "no NATS server at " + SERVER + " (" + e.getMessage() + ")";
        }
    }

    private static boolean required() {
        return "1".equals(System.getenv("BATON_REQUIRE_SERVERS")) || Boolean.getBoolean("baton.requireServers");
    }

    /** The URL of the backend under test: this class's prefix. */
    String url() {
        return SERVER + "?prefix=" + prefix;
    }

    /**
     * Connect options for the TCK: NATS's max_payload (1 MiB by default) counts headers too, so
     * the payload limit leaves them room.
     */
    static ConnectOptions connectOptions() {
        return ConnectOptions.builder().shutdownTimeout(Duration.ofSeconds(2)).maxPayloadBytes((1 << 20) - 4096).build();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (prefix == null) return;
        Connection connection = Nats.connect(Options.builder().server(SERVER).build());
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            String mine = new NatsNames(prefix).streamNamePrefix();
            for (String stream : jsm.getStreamNames()) {
                if (stream.startsWith(mine)) jsm.deleteStream(stream);
            }
        } finally {
            connection.close();
        }
    }

    private static String firstNonNull(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }
}
