package io.baton;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a new durable subscription starts in the topic's history. An existing durable
 * subscription always resumes where it stopped, whatever its start position says.
 */
public record StartPosition(Kind kind, long sequence, Instant time) {

    public enum Kind { NEW, EARLIEST, SEQUENCE, TIME }

    /** Only messages published after the subscription was created. */
    public static final StartPosition NEW = new StartPosition(Kind.NEW, 0, null);
    /** Everything the topic still keeps. */
    public static final StartPosition EARLIEST = new StartPosition(Kind.EARLIEST, 0, null);

    public StartPosition {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.SEQUENCE && sequence < 1) throw new IllegalArgumentException("sequence must be at least 1: " + sequence);
        if (kind == Kind.TIME) Objects.requireNonNull(time, "time");
    }

    /** From the message with this sequence number (inclusive). */
    public static StartPosition sequence(long sequence) { return new StartPosition(Kind.SEQUENCE, sequence, null); }

    /** From the first message published at or after {@code time}. */
    public static StartPosition time(Instant time) { return new StartPosition(Kind.TIME, 0, time); }
}
