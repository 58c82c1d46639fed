package io.baton.store;

import io.baton.internal.mem.MemTopics;
import io.baton.spi.Backend;
import io.baton.spi.BackendProvider;
import io.baton.spi.BackendUrl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens {@code file:} backends. URL forms: {@code file:./data}, {@code file:/var/lib/baton},
 * {@code file:///var/lib/baton}, optionally followed by
 * {@code ?durability=fsync|interval-100ms|os&segmentBytes=N}, and topic history bounds as on
 * {@code mem:} ({@code historyMessages=N&historyBytes=N&historyAgeSeconds=N}, defaults 100,000
 * messages, 64 MiB, 1 hour; the history is also held in memory). Durability:
 * <ul>
 *   <li>{@code fsync} (default): a send returns after the fsync that covers it (group commit);</li>
 *   <li>{@code interval-Nms}: fsync every N ms; a power loss may lose the last interval;</li>
 *   <li>{@code os}: no fsync; the OS writes when it likes; a power loss may lose recent sends.</li>
 * </ul>
 */
public final class FileBackendProvider implements BackendProvider {

    @Override
    public String scheme() {
        return "file";
    }

    @Override
    public Backend open(String url) {
        BackendUrl parsed = BackendUrl.parse(url, "file");
        LogOptions options = LogOptions.defaults();
        String durability = parsed.take("durability");
        if (durability != null) options = options.withDurability(durability(parsed, durability));
        options = options.withSegmentBytes(parsed.takePositive("segmentBytes", options.segmentBytes()));
        MemTopics.HistoryLimits history = MemTopics.HistoryLimits.from(parsed);
        parsed.requireAllTaken();
        String dir = parsed.target().startsWith("//") ? parsed.target().substring(2) : parsed.target(); // file:///abs
        if (dir.isEmpty()) throw parsed.invalid("no directory; expected file:./data or file:/path");
        try {
            return new FileBackend(Path.of(dir), options, history);
        } catch (IOException e) {
            throw parsed.invalid(e.toString());
        }
    }

    private static Durability durability(BackendUrl url, String value) {
        if (value.equals("fsync")) return Durability.FSYNC;
        if (value.equals("os")) return Durability.OS_BUFFERED;
        if (value.startsWith("interval-") && value.endsWith("ms")) {
            try {
                long millis = Long.parseLong(value.substring("interval-".length(), value.length() - 2));
                if (millis >= 1) return Durability.fsyncEvery(Duration.ofMillis(millis));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw url.invalid("durability must be fsync, interval-<N>ms or os, not '" + value + "'");
    }
}
