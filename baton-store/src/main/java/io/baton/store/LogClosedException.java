package io.baton.store;

/** The log was closed: it takes no appends, replays or deletions. */
public class LogClosedException extends StoreException {
    private static final long serialVersionUID = 1L;

    public LogClosedException(String message) { super(message); }
}
