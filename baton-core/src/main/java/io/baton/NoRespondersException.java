package io.baton;

/** An RPC call found nothing serving its subject; it fails at once rather than at its deadline. */
public class NoRespondersException extends BatonException {
    private static final long serialVersionUID = 1L;

    public NoRespondersException(String message) { super(message); }
}
