package io.baton;

/** The other side of a connection broke the wire protocol (docs/protocol.md), or speaks a version this one does not; the connection is closed. */
public class ProtocolException extends BatonException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) { super(message); }

    public ProtocolException(String message, Throwable cause) { super(message, cause); }
}
