package io.baton.internal;

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

    FunctionRuntime(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    Duration shutdownTimeout() { return shutdownTimeout; }

    <F extends Function> F track(F function) {
        functions.add(function);
        return function;
    }

    void forget(Function function) {
        functions.remove(function);
    }

    void closeAll() {
        List<Function> stopping = new ArrayList<>(functions);
        stopping.forEach(Function::beginStop);
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        for (Function f : stopping) f.awaitStop(deadline);
    }
}
