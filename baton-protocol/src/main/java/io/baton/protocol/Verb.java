package io.baton.protocol;

/** The verbs of protocol version 1 (docs/protocol.md): what the first byte after a frame's length means. */
public final class Verb {
    public static final int HELLO = 0x01;
    public static final int PING = 0x02;
    public static final int BYE = 0x03;

    public static final int QUEUE = 0x10;
    public static final int SEND = 0x11;
    public static final int FETCH = 0x12;
    public static final int ACK = 0x13;
    public static final int NACK = 0x14;
    public static final int RELEASE = 0x15;
    public static final int EXTEND = 0x16;
    public static final int STATS = 0x17;

    public static final int PUBLISH = 0x20;
    public static final int SUBSCRIBE = 0x21;
    public static final int UNSUBSCRIBE = 0x22;
    public static final int DURABLE = 0x23;
    public static final int PUBLISH_ASYNC = 0x24;

    public static final int SERVE = 0x30;
    public static final int UNSERVE = 0x31;
    public static final int CALL = 0x32;
    public static final int REPLY = 0x33;
    public static final int CANCEL_REQUEST = 0x34;

    public static final int OK = 0x80;
    public static final int WELCOME = 0x81;
    public static final int MESSAGE = 0xA0;
    public static final int SUBSCRIPTION_CLOSED = 0xA1;
    public static final int REQUEST = 0xB0;
    public static final int CANCEL = 0xB1;
    public static final int ERROR = 0xFF;

    /** FETCH and the other delivery verbs: which kind of source a name is. */
    public static final int SOURCE_QUEUE = 0;
    public static final int SOURCE_DURABLE = 1;

    /** The version this implementation speaks. */
    public static final int PROTOCOL_VERSION = 1;

    /** The most deliveries one FETCH may ask for. */
    public static final int MAX_FETCH = 1024;

    private Verb() {}

    /** A verb's name for messages and logs; {@code 0x..} for one this version does not have. */
    public static String name(int verb) {
        return switch (verb) {
            case HELLO -> "HELLO";
            case PING -> "PING";
            case BYE -> "BYE";
            case QUEUE -> "QUEUE";
            case SEND -> "SEND";
            case FETCH -> "FETCH";
            case ACK -> "ACK";
            case NACK -> "NACK";
            case RELEASE -> "RELEASE";
            case EXTEND -> "EXTEND";
            case STATS -> "STATS";
            case PUBLISH -> "PUBLISH";
            case SUBSCRIBE -> "SUBSCRIBE";
            case UNSUBSCRIBE -> "UNSUBSCRIBE";
            case DURABLE -> "DURABLE";
            case PUBLISH_ASYNC -> "PUBLISH_ASYNC";
            case SERVE -> "SERVE";
            case UNSERVE -> "UNSERVE";
            case CALL -> "CALL";
            case REPLY -> "REPLY";
            case CANCEL_REQUEST -> "CANCEL_REQUEST";
            case OK -> "OK";
            case WELCOME -> "WELCOME";
            case MESSAGE -> "MESSAGE";
            case SUBSCRIPTION_CLOSED -> "SUBSCRIPTION_CLOSED";
            case REQUEST -> "REQUEST";
            case CANCEL -> "CANCEL";
            case ERROR -> "ERROR";
            default -> String.format("0x%02x", verb);
        };
    }
}
