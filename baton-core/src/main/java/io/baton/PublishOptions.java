package io.baton;

import java.util.Map;

/** Headers and an id for one published message. Immutable. */
public record PublishOptions(Map<String, String> headers, String id) {
    private static final PublishOptions DEFAULTS = new PublishOptions(Map.of(), null);

    public PublishOptions {
        headers = Map.copyOf(headers);
    }

    public static PublishOptions defaults() { return DEFAULTS; }

    public static PublishOptions headers(Map<String, String> headers) { return new PublishOptions(headers, null); }
}
