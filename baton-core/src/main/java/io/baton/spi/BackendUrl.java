package io.baton.spi;

import io.baton.BatonException;
import java.util.HashMap;
import java.util.Map;

/**
 * A backend URL taken apart: {@code scheme:target?name=value&...}. For {@link BackendProvider}s,
 * so that every backend reads its parameters and reports bad ones the same way.
 */
public final class BackendUrl {
    private final String url;
    private final String target;
    private final Map<String, String> params = new HashMap<>();

    private BackendUrl(String url, String target) {
        this.url = url;
        this.target = target;
    }

    /**
     * @throws BatonException if a parameter is not {@code name=value}
     */
    public static BackendUrl parse(String url, String scheme) {
        String rest = url.substring(scheme.length() + 1);
        int q = rest.indexOf('?');
        BackendUrl parsed = new BackendUrl(url, q < 0 ? rest : rest.substring(0, q));
        if (q >= 0 && q + 1 < rest.length()) {
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) throw parsed.invalid("parameter '" + pair + "' is not name=value");
                parsed.params.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return parsed;
    }

    /** What comes between the scheme's colon and the parameters. */
    public String target() {
        return target;
    }

    /** Whether parameter {@code name} is there and not taken yet. */
    public boolean has(String name) {
        return params.containsKey(name);
    }

    /** Takes parameter {@code name}; null if absent. */
    public String take(String name) {
        return params.remove(name);
    }

    /**
     * Takes parameter {@code name} as a positive number, or {@code fallback} if absent.
     *
     * @throws BatonException if it is not a positive number
     */
    public long takePositive(String name, long fallback) {
        return takeAtLeast(name, 1, fallback);
    }

    /**
     * Takes parameter {@code name} as a whole number of at least {@code min}, or {@code fallback} if absent.
     *
     * @throws BatonException if it is not such a number
     */
    public long takeAtLeast(String name, long min, long fallback) {
        String value = params.remove(name);
        if (value == null) return fallback;
        try {
            long n = Long.parseLong(value);
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(name + "='" + value + "' is not " + (min == 1 ? "a positive number" : "a whole number of at least " + min));
    }

    /** @throws BatonException naming the parameters nobody took */
    public void requireAllTaken() {
        if (!params.isEmpty()) throw invalid("unknown parameters " + params.keySet());
    }

    /** A failure to open this URL, saying why. */
    public BatonException invalid(String why) {
        return new BatonException("cannot open '" + url + "': " + why);
    }
}
