package io.baton;

/** No backend on the class path handles the URL given to Baton.connect. */
public class UnknownBackendException extends BatonException {
    private static final long serialVersionUID = 1L;

    public UnknownBackendException(String message) { super(message); }
}
