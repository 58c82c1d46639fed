package io.baton;

/** The server's permissions do not let this user use this verb on this queue, subject or pattern. */
public class PermissionDeniedException extends BatonException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) { super(message); }

    public PermissionDeniedException(String message, Throwable cause) { super(message, cause); }
}
