package io.baton.store;

import io.baton.BatonException;
import io.baton.spi.Backend;
import io.baton.spi.BackendProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Opens {@code file:} backends. URL forms: {@code file:./data}, {@code file:/var/lib/baton},
 * {@code file:///var/lib/baton}, optionally followed by
 * {@code ?durability=fsync|interval-100ms|os&segmentBytes=N}:
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
        String rest = url.substring("file:".length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        if (rest.startsWith("//")) rest = rest.substring(2); // file:///abs -> /abs
        if (rest.isEmpty()) throw new BatonException("cannot open '" + url + "': no directory; expected file:./data or file:/path");
        Map<String, String> params = params(url, query);
        LogOptions options = LogOptions.defaults();
        String durability = params.remove("durability");
        if (durability != null) options = options.withDurability(durability(url, durability));
        String segmentBytes = params.remove("segmentBytes");
        if (segmentBytes != null) options = options.withSegmentBytes(positive(url, segmentBytes));
        if (!params.isEmpty()) throw new BatonException("cannot open '" + url + "': unknown parameters " + params.keySet());
        try {
            return new FileBackend(Path.of(rest), options);
        } catch (IOException e) {
            throw new BatonException("cannot open '" + url + "': " + e, e);
        }
    }

    private static Durability durability(String url, String value) {
        if (value.equals("fsync")) return Durability.FSYNC;
        if (value.equals("os")) return Durability.OS_BUFFERED;
        if (value.startsWith("interval-") && value.endsWith("ms")) {
            return Durability.fsyncEvery(Duration.ofMillis(positive(url, value.substring("interval-".length(), value.length() - 2))));
        }
        throw new BatonException("cannot open '" + url + "': durability must be fsync, interval-<N>ms or os, not '" + value + "'");
    }

    private static Map<String, String> params(String url, String query) {
        Map<String, String> params = new HashMap<>();
        if (query.isEmpty()) return params;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new BatonException("cannot open '" + url + "': parameter '" + pair + "' is not name=value");
            params.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return params;
    }

    private static long positive(String url, String value) {
        try {
            long n = Long.parseLong(value);
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new BatonException("cannot open '" + url + "': '" + value + "' is not a positive number");
        }
    }
}
