package io.baton;

/** The backend cannot do what was asked (see io.baton.spi.Capability) and Baton does not emulate it there. */
public class UnsupportedCapabilityException extends BatonException {
    private static final long serialVersionUID = 1L;

    public UnsupportedCapabilityException(String message) { super(message); }
}
