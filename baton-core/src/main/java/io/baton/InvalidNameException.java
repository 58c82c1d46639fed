package io.baton;

/** A queue name, subject or pattern is malformed, or a pattern was used where only a subject is allowed. */
public class InvalidNameException extends BatonException {
    private static final long serialVersionUID = 1L;

    public InvalidNameException(String message) { super(message); }
}
