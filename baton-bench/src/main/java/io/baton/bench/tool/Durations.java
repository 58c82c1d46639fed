package io.baton.bench.tool;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the command line writes them: {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1.5s}, or bare seconds. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private Durations() {}

    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write it as 10s, 500ms, 2m or 1.5s");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos = value * switch (unit) {
            case "ms" -> 1e6;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> 1e9;
        };
        return Duration.ofNanos(Math.round(nanos));
    }

    /** The shortest of {@code 500ms}, {@code 10s}, {@code 1.5s}, {@code 2m}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        if (ms < 1000) return ms + "ms";
        return String.format(Locale.ROOT, "%ss", new java.math.BigDecimal(ms).movePointLeft(3).stripTrailingZeros().toPlainString());
    }
}
