package io.baton;

/** A body could not be encoded or decoded by the connection's codec. */
public class CodecException extends BatonException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message, Throwable cause) { super(message, cause); }
}
