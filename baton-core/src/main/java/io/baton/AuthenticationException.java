package io.baton;

/** A server refused to log this connection in: no credentials, wrong ones, or none given in time. */
public class AuthenticationException extends BatonException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) { super(message); }

    public AuthenticationException(String message, Throwable cause) { super(message, cause); }
}
