package io.baton;

/** The connection to a server was lost while a request was in flight; whether the server acted on it is unknown. */
public class ConnectionLostException extends BatonException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message) { super(message); }

    public ConnectionLostException(String message, Throwable cause) { super(message, cause); }
}
