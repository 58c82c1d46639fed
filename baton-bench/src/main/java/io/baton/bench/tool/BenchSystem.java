package io.baton.bench.tool;

import java.util.concurrent.CompletableFuture;

/**
 * A system that {@code baton bench} measures: Baton on a URL, or a peer through its own client.
 * Each knows how to set itself up for each {@link Workload}; the loops that drive it, the
 * counting and the timing are {@link BenchRun}'s and the same for all.
 */
public interface BenchSystem {
    /** Short and stable: {@code baton}, {@code jdk}, {@code nats}, {@code rabbitmq}. */
    String name();

    /** True for Baton, the system every ratio divides by its peer. */
    default boolean isBaton() {
        return false;
    }

    /** The name in tables: what runs, in a few words (e.g. {@code nats jetstream work-queue, file}). */
    String label(BenchSpec spec);

    /** What this system does for the workload: its producers, its consumers, what confirms what. */
    String describe(BenchSpec spec);

    /** Fails with the reason if the system cannot run here (its server is not reachable, say). */
    default void probe() throws Exception {}

    /**
     * Sets up one run: the queue, topic or function and every consumer, subscriber or server,
     * reporting to {@code meter}, ready before this returns; and one sender or caller per producer.
     */
    Session open(BenchSpec spec, Meter meter) throws Exception;

    /** One run's set-up; {@link #close()} takes it all down (streams and queues it created included). */
    interface Session extends AutoCloseable {
        /** Producer {@code index}'s sender (queue, pubsub); called from that producer's thread. */
        default Send sender(int index) {
            throw new UnsupportedOperationException("no sender in this workload");
        }

        /** Producer {@code index}'s caller (rpc); called from that producer's thread. */
        default Call caller(int index) {
            throw new UnsupportedOperationException("no caller in this workload");
        }

        @Override
        void close();
    }

    /** Sends one message; returns its confirmation, or null where the system confirms nothing. */
    @FunctionalInterface
    interface Send {
        CompletableFuture<?> send(byte[] body) throws Exception;
    }

    /** Calls once and returns the reply. */
    @FunctionalInterface
    interface Call {
        byte[] call(byte[] body) throws Exception;
    }
}
