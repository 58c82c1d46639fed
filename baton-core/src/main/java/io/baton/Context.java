package io.baton;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The RPC call a handler is serving: its deadline and whether the caller gave up. Available
 * through {@link #current()} on the handler's thread. A nested {@link Baton#call} made from
 * that thread inherits the remaining budget. When the caller cancels or the deadline passes,
 * the context is cancelled and the handler's thread is interrupted.
 */
public final class Context {
    private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();

    private final String subject;
    private final Instant deadline;
    private final Map<String, String> headers;
    private volatile boolean cancelled;

    public Context(String subject, Instant deadline, Map<String, String> headers) {
        this.subject = subject;
        this.deadline = deadline;
        this.headers = Map.copyOf(headers);
    }

    /** The context of the call served on this thread, or null outside an RPC handler. */
    public static Context current() { return CURRENT.get(); }

    /** Runs {@code body} with {@code context} as the current one; for the function runtime. */
    public static <X extends Exception> void runWith(Context context, ThrowingRunnable<X> body) throws X {
        Context previous = CURRENT.get();
        CURRENT.set(context);
        try {
            body.run();
        } finally {
            CURRENT.set(previous);
        }
    }

    /** A body run by {@link #runWith}. */
    @FunctionalInterface
    public interface ThrowingRunnable<X extends Exception> { void run() throws X; }

    public String subject() { return subject; }

    public Instant deadline() { return deadline; }

    /** Time left before the deadline; zero or negative once it passed. */
    public Duration remaining() { return Duration.between(Instant.now(), deadline); }

    /** The request's headers. */
    public Map<String, String> headers() { return headers; }

    /** True once the caller gave up or the deadline passed. */
    public boolean isCancelled() { return cancelled || !Instant.now().isBefore(deadline); }

    /** Marks the call cancelled; for the function runtime. */
    public void cancel() { cancelled = true; }
}
