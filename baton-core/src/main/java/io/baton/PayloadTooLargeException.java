package io.baton;

/**
 * A body encoded to more bytes than {@link ConnectOptions#maxPayloadBytes()} allows; nothing was
 * sent.
 */
public class PayloadTooLargeException extends BatonException {
    private static final long serialVersionUID = 1L;

    public PayloadTooLargeException(String message) { super(message); }
}
