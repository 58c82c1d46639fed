package io.baton;

import java.time.Duration;
import java.util.Map;

/**
 * The deadline and headers of one RPC call. A null timeout means the connection's default
 * ({@link ConnectOptions#callTimeout()}); inside a handler the call never outlives the current
 * call's deadline. Immutable.
 */
public record CallOptions(Duration timeout, Map<String, String> headers) {
    private static final CallOptions DEFAULTS = new CallOptions(null, Map.of());

    public CallOptions {
        headers = Map.copyOf(headers);
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }

    public static CallOptions defaults() { return DEFAULTS; }

    public static CallOptions timeout(Duration timeout) { return new CallOptions(timeout, Map.of()); }
}
