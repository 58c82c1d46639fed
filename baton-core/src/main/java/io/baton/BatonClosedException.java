package io.baton;

/** The connection or the function was closed. */
public class BatonClosedException extends BatonException {
    private static final long serialVersionUID = 1L;

    public BatonClosedException(String message) { super(message); }
}
