package io.baton;

/** A {@link Baton#proxy(Class) proxy} called a method that the server of its interface does not have. */
public class UnknownOperationException extends BatonException {
    private static final long serialVersionUID = 1L;

    public UnknownOperationException(String message) { super(message); }
}
