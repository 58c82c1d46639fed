package io.baton.store;

import io.baton.BatonException;

/**
 * The log could not do what was asked because of an I/O error (other than a full disk, which is
 * {@link StoreFullException}). Nothing that was acknowledged before is affected; the failed append
 * was not acknowledged, and a later one may succeed.
 */
public class StoreException extends BatonException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) { super(message); }

    public StoreException(String message, Throwable cause) { super(message, cause); }
}
