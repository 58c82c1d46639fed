package io.baton.spi;

/**
 * The cancel hooks of one call being served, for a backend's {@link RpcChannel.Reply#onCancel}:
 * the cancel may come before or after the handler asks to hear of it, and a hook added after it
 * runs at once. Thread-safe.
 */
public final class CancelHooks {
    private Runnable hooks;
    private boolean cancelled;

    /** Runs {@code hook} when {@link #cancel()} is called, or now if it was. */
    public void add(Runnable hook) {
        synchronized (this) {
            if (!cancelled) {
                Runnable previous = hooks;
                hooks = previous == null ? hook : () -> {
                    previous.run();
                    hook.run();
                };
                return;
            }
        }
        hook.run();
    }

    /** Runs the hooks added so far, once; later ones run as they are added. */
    public void cancel() {
        Runnable toRun;
        synchronized (this) {
            cancelled = true;
            toRun = hooks;
            hooks = null;
        }
        if (toRun != null) toRun.run();
    }
}
