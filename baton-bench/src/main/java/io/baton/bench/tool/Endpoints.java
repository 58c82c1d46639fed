package io.baton.bench.tool;

import java.util.ArrayList;
import java.util.List;

/**
 * A session as the systems build one: a sender or a caller per producer, and what to undo at the
 * end. {@link #build} undoes what a failed set-up had done.
 */
final class Endpoints implements BenchSystem.Session {
    /** One system's set-up of a run. */
    @FunctionalInterface
    interface SetUp {
        void run(Endpoints session) throws Exception;
    }

    final Cleanup cleanup = new Cleanup();
    private final List<BenchSystem.Send> senders = new ArrayList<>();
    private final List<BenchSystem.Call> callers = new ArrayList<>();

    private Endpoints() {}

    /** Runs {@code setUp} on a new session; if it fails, takes down what it had set up, then rethrows. */
    static Endpoints build(SetUp setUp) throws Exception {
        Endpoints session = new Endpoints();
        try {
            setUp.run(session);
            return session;
        } catch (Exception | Error e) {
            Cleanup.closeAfter(e, session::close);
            throw e;
        }
    }

    /** The next producer's sender. */
    void addSender(BenchSystem.Send send) {
        senders.add(send);
    }

    /** The next producer's caller. */
    void addCaller(BenchSystem.Call call) {
        callers.add(call);
    }

    @Override
    public BenchSystem.Send sender(int index) {
        return senders.get(index);
    }

    @Override
    public BenchSystem.Call caller(int index) {
        return callers.get(index);
    }

    @Override
    public void close() {
        cleanup.close();
    }
}
