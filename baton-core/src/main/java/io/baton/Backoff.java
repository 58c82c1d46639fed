package io.baton;

import java.time.Duration;

/**
 * Delay before a nacked message is redelivered: {@code initial * multiplier^(attempt-1)}, capped
 * at {@code max}. Immutable.
 */
public record Backoff(Duration initial, Duration max, double multiplier) {

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0 || multiplier < 1.0) {
            throw new IllegalArgumentException("backoff needs 0 <= initial <= max and multiplier >= 1: " + initial + ", " + max + ", " + multiplier);
        }
    }

    /** Exponential backoff doubling from {@code initial} up to {@code max}. */
    public static Backoff exponential(Duration initial, Duration max) { return new Backoff(initial, max, 2.0); }

    /** The same delay every time. */
    public static Backoff fixed(Duration delay) { return new Backoff(delay, delay, 1.0); }

    /** No delay. */
    public static Backoff none() { return fixed(Duration.ZERO); }

    /** The delay after failed attempt number {@code attempt} (1-based). */
    public Duration delayAfter(int attempt) {
        double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
}
