package io.baton;

/** A send found the queue full and its overflow policy refused to wait (longer). */
public class QueueFullException extends BatonException {
    private static final long serialVersionUID = 1L;

    public QueueFullException(String message) { super(message); }
}
