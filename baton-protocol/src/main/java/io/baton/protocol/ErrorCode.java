package io.baton.protocol;

import io.baton.AuthenticationException;
import io.baton.BatonClosedException;
import io.baton.BatonException;
import io.baton.DeadlineExceededException;
import io.baton.InvalidNameException;
import io.baton.NoRespondersException;
import io.baton.PayloadTooLargeException;
import io.baton.PermissionDeniedException;
import io.baton.ProtocolException;
import io.baton.QueueFullException;
import io.baton.SlowConsumerException;
import io.baton.UnsupportedCapabilityException;

/** The error codes of an ERROR frame (docs/protocol.md), and the exception each one is in Java. */
public enum ErrorCode {
    MALFORMED(1, true),
    FRAME_TOO_LARGE(2, true),
    UNKNOWN_VERB(3, true),
    NOT_AUTHENTICATED(4, true),
    AUTHENTICATION_FAILED(5, true),
    PERMISSION_DENIED(6, false),
    UNSUPPORTED_VERSION(7, true),
    INVALID_NAME(8, false),
    QUEUE_FULL(9, false),
    PAYLOAD_TOO_LARGE(10, false),
    NO_RESPONDERS(11, false),
    DEADLINE_EXCEEDED(12, false),
    UNSUPPORTED(13, false),
    SLOW_CONSUMER(14, false),
    UNKNOWN(15, false),
    SHUTTING_DOWN(16, true),
    TOO_MANY_CONNECTIONS(17, true),
    TOO_MANY_REQUESTS(18, false),
    INTERNAL(100, false);

    private final int code;
    private final boolean closesConnection;

    ErrorCode(int code, boolean closesConnection) {
        this.code = code;
        this.closesConnection = closesConnection;
    }

    public int code() {
        return code;
    }

    /** Whether the server closes the connection after sending this error. */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** The error with this code; {@link #INTERNAL} for a code this version does not know. */
    public static ErrorCode of(int code) {
        for (ErrorCode e : values()) if (e.code == code) return e;
        return INTERNAL;
    }

    /** The exception a client throws for this error. */
    public BatonException toException(String message) {
        return switch (this) {
            case MALFORMED, UNKNOWN_VERB, UNSUPPORTED_VERSION -> new ProtocolException(message);
            case FRAME_TOO_LARGE, PAYLOAD_TOO_LARGE -> new PayloadTooLargeException(message);
            case NOT_AUTHENTICATED, AUTHENTICATION_FAILED -> new AuthenticationException(message);
            case PERMISSION_DENIED -> new PermissionDeniedException(message);
            case INVALID_NAME -> new InvalidNameException(message);
            case QUEUE_FULL -> new QueueFullException(message);
            case NO_RESPONDERS -> new NoRespondersException(message);
            case DEADLINE_EXCEEDED -> new DeadlineExceededException(message);
            case UNSUPPORTED -> new UnsupportedCapabilityException(message);
            case SLOW_CONSUMER -> new SlowConsumerException(message);
            case SHUTTING_DOWN -> new BatonClosedException(message);
            case UNKNOWN, TOO_MANY_CONNECTIONS, TOO_MANY_REQUESTS, INTERNAL -> new BatonException(message);
        };
    }

    /** The code a server answers for a failure of a request. */
    public static ErrorCode forException(Throwable t) {
        if (t instanceof ProtocolException) return MALFORMED;
        if (t instanceof PayloadTooLargeException) return PAYLOAD_TOO_LARGE;
        if (t instanceof AuthenticationException) return AUTHENTICATION_FAILED;
        if (t instanceof PermissionDeniedException) return PERMISSION_DENIED;
        if (t instanceof InvalidNameException) return INVALID_NAME;
        if (t instanceof QueueFullException) return QUEUE_FULL;
        if (t instanceof NoRespondersException) return NO_RESPONDERS;
        if (t instanceof DeadlineExceededException) return DEADLINE_EXCEEDED;
        if (t instanceof UnsupportedCapabilityException) return UNSUPPORTED;
        if (t instanceof SlowConsumerException) return SLOW_CONSUMER;
        if (t instanceof BatonClosedException) return SHUTTING_DOWN;
        return INTERNAL;
    }
}
