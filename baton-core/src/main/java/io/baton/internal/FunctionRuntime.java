package io.baton.internal;

import io.baton.BatonClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions of one connection. Handlers run on virtual threads started by each function;
 * this keeps track of them so that {@link #closeAll()} stops every function together and waits,
 * bounded by the shutdown timeout, for their running handlers.
 */
final class FunctionRuntime {
    private final Set<Function> functions = ConcurrentHashMap.newKeySet();
    private final Duration shutdownTimeout;
    private boolean closed;

    FunctionRuntime(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    Duration shutdownTimeout() { return shutdownTimeout; }

    /**
     * Registers {@code function} and runs {@code start} on it; if starting fails it is forgotten.
     *
     * @throws BatonClosedException if the connection is closed
     */
    <F extends Function> F launch(F function, java.util.function.Consumer<F> start) {
        synchronized (this) {
            if (closed) throw new BatonClosedException("this Baton connection is closed");
            functions.add(function);
        }
        try {
            start.accept(function);
            return function;
        } catch (RuntimeException e) {
            functions.remove(function);
            throw e;
        }
    }

    void forget(Function function) {
        functions.remove(function);
    }

    void closeAll() {
        List<Function> stopping;
        synchronized (this) {
            closed = true;
            stopping = new ArrayList<>(functions);
        }
        stopping.forEach(Function::beginStop);
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        for (Function f : stopping) f.awaitStop(deadline);
    }
}
