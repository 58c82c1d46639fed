package io.baton;

/**
 * Names of the headers Baton itself sets. Application headers must not start with
 * {@code baton-}.
 */
public final class Headers {
    private Headers() {}

    /** Prefix reserved for Baton's own headers. */
    public static final String PREFIX = "baton-";

    /** On a dead letter: why it was dead-lettered (the last error, or the decode failure). */
    public static final String DLQ_REASON = "baton-dlq-reason";
    /** On a dead letter: the class name of the last error. */
    public static final String DLQ_ERROR_TYPE = "baton-dlq-error-type";
    /** On a dead letter: how many deliveries were attempted. */
    public static final String DLQ_ATTEMPTS = "baton-dlq-attempts";
    /** On a dead letter: the queue (or durable subscription) it came from. */
    public static final String DLQ_SOURCE = "baton-dlq-source";
    /** On a dead letter: when it was dead-lettered, ISO-8601. */
    public static final String DLQ_TIME = "baton-dlq-time";

    /** On an RPC request: the caller's remaining budget in milliseconds. */
    public static final String RPC_TIMEOUT_MS = "baton-timeout-ms";
    /** On an RPC request to an interface: the method called, as {@code name/arity}. */
    public static final String RPC_OPERATION = "baton-operation";
    /** On an RPC reply: the remote exception's class name; absent on success. */
    public static final String RPC_ERROR_TYPE = "baton-error-type";
    /** On an RPC reply: the remote exception's message. */
    public static final String RPC_ERROR_MESSAGE = "baton-error-message";
    /** On an RPC reply: Baton's own failure kind (unknown-operation, deadline, decode). */
    public static final String RPC_ERROR_KIND = "baton-error-kind";

    /** The suffix of a queue's dead-letter queue. */
    public static final String DLQ_SUFFIX = ".dlq";
}
