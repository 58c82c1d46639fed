package io.baton.internal.mem;

import io.baton.BatonException;
import io.baton.spi.Backend;
import io.baton.spi.BackendProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Opens {@code mem:} backends. URL forms: {@code mem:} (a private broker),
 * {@code mem://NAME} (a broker shared in this JVM by name), each optionally followed by
 * {@code ?historyMessages=N&historyBytes=N&historyAgeSeconds=N} bounding topic history
 * (defaults 100,000 messages, 64 MiB, 1 hour).
 */
public final class MemBackendProvider implements BackendProvider {
    private static final Map<String, Shared> SHARED = new HashMap<>();

    private record Shared(MemBackend backend, int[] users) {}

    @Override
    public String scheme() {
        return "mem";
    }

    @Override
    public Backend open(String url) {
        String rest = url.substring("mem:".length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        MemTopics.HistoryLimits limits = limits(url, query);
        if (rest.isEmpty()) return new MemBackend(limits, () -> {});
        if (!rest.startsWith("//") || rest.length() == 2) {
            throw new BatonException("cannot open '" + url + "': expected mem: or mem://NAME");
        }
        String name = rest.substring(2);
        synchronized (SHARED) {
            Shared shared = SHARED.get(name);
            if (shared == null) {
                int[] users = {0};
                MemBackend backend = new MemBackend(limits, () -> {});
                shared = new Shared(backend, users);
                SHARED.put(name, shared);
            }
            shared.users[0]++;
            return new SharedHandle(name, shared);
        }
    }

    private static MemTopics.HistoryLimits limits(String url, String query) {
        Map<String, String> params = new HashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) throw new BatonException("cannot open '" + url + "': parameter '" + pair + "' is not name=value");
                params.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        long messages = number(url, params.remove("historyMessages"), 100_000);
        long bytes = number(url, params.remove("historyBytes"), 64L << 20);
        long age = number(url, params.remove("historyAgeSeconds"), 3600);
        if (!params.isEmpty()) throw new BatonException("cannot open '" + url + "': unknown parameters " + params.keySet());
        return new MemTopics.HistoryLimits(messages, bytes, Duration.ofSeconds(age));
    }

    private static long number(String url, String value, long fallback) {
        if (value == null) return fallback;
        try {
            long n = Long.parseLong(value);
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new BatonException("cannot open '" + url + "': '" + value + "' is not a positive number");
        }
    }

    /** One connection's view of a shared broker: closing it closes the broker with its last user. */
    private static final class SharedHandle implements Backend {
        private final String name;
        private final Shared shared;
        private boolean closed;

        SharedHandle(String name, Shared shared) {
            this.name = name;
            this.shared = shared;
        }

        @Override public java.util.Set<io.baton.spi.Capability> capabilities() { return shared.backend.capabilities(); }
        @Override public io.baton.spi.QueueChannel queue(String name, io.baton.QueueOptions options) { return shared.backend.queue(name, options); }
        @Override public io.baton.spi.TopicChannel topics() { return shared.backend.topics(); }
        @Override public io.baton.spi.RpcChannel rpc() { return shared.backend.rpc(); }

        @Override
        public void close() {
            synchronized (SHARED) {
                if (closed) return;
                closed = true;
                if (--shared.users[0] > 0) return;
                SHARED.remove(name, shared); // inside the lock: a new connection gets a new broker
            }
            shared.backend.close();
        }
    }
}
