package io.baton;

/** How an RPC server runs its handler: at most {@code concurrency} calls at once (default 64). */
public record ServeOptions(int concurrency) {
    private static final ServeOptions DEFAULTS = new ServeOptions(64);

    public ServeOptions {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
    }

    public static ServeOptions defaults() { return DEFAULTS; }
}
