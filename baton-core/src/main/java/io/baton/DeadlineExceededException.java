package io.baton;

/** An RPC call got no reply before its deadline, or the work was not started because its deadline had passed. */
public class DeadlineExceededException extends BatonException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) { super(message); }
}
