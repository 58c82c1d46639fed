package io.baton;

/**
 * Base of every failure Baton reports. Unchecked: each subclass names one failure a caller can
 * act on; this class itself is used for backend failures with no more specific remedy.
 */
public class BatonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BatonException(String message) { super(message); }

    public BatonException(String message, Throwable cause) { super(message, cause); }
}
