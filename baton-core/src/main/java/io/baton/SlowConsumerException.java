package io.baton;

/** An ephemeral subscriber fell too far behind and was cut off so that it would not slow anyone else. */
public class SlowConsumerException extends BatonException {
    private static final long serialVersionUID = 1L;

    public SlowConsumerException(String message) { super(message); }
}
