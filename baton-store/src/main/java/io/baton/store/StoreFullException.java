package io.baton.store;

/**
 * The disk (or the user's quota) is full: the append was not written. The partial write was cut
 * off again, so nothing is corrupted; appends succeed again once space is freed.
 */
public class StoreFullException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message, Throwable cause) { super(message, cause); }
}
