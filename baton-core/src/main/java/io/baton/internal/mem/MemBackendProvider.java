package io.baton.internal.mem;

import io.baton.spi.Backend;
import io.baton.spi.BackendProvider;
import io.baton.spi.BackendUrl;
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
        BackendUrl parsed = BackendUrl.parse(url, "mem");
        MemTopics.HistoryLimits limits = MemTopics.HistoryLimits.from(parsed);
        parsed.requireAllTaken();
        String rest = parsed.target();
        if (rest.isEmpty()) return new MemBackend(limits, () -> {});
        if (!rest.startsWith("//") || rest.length() == 2) throw parsed.invalid("expected mem: or mem://NAME");
        String name = rest.substring(2);
        synchronized (SHARED) {
            Shared shared = SHARED.computeIfAbsent(name, n -> new Shared(new MemBackend(limits, () -> {}), new int[] {0}));
            shared.users[0]++;
            return new SharedHandle(name, shared);
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
