package io.baton;

/**
 * The remote handler of an RPC call threw. {@link #remoteType()} is the class name of what it
 * threw and {@link #remoteMessage()} its message; the remote stack trace does not travel.
 */
public class RemoteException extends BatonException {
    private static final long serialVersionUID = 1L;

    private final String subject;
    private final String remoteType;
    private final String remoteMessage;

    public RemoteException(String subject, String remoteType, String remoteMessage) {
        super("call to '" + subject + "' failed remotely: " + remoteType + (remoteMessage == null ? "" : ": " + remoteMessage));
        this.subject = subject;
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
    }

    /** The subject that was called. */
    public String subject() { return subject; }

    /** Fully qualified class name of the exception the remote handler threw. */
    public String remoteType() { return remoteType; }

    /** Its message, possibly null. */
    public String remoteMessage() { return remoteMessage; }
}
