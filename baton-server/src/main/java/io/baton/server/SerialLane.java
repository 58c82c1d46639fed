package io.baton.server;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one after another in the order they were submitted, on a virtual thread started
 * when there is work: a task may block (a send waiting for room in a full queue) without holding
 * up the event loop, and the tasks after it still wait their turn.
 */
final class SerialLane {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    void submit(Runnable task) {
        tasks.add(task);
        if (draining.compareAndSet(false, true)) Thread.ofVirtual().name("baton-send-lane").start(this::drain);
    }

    private void drain() {
        do {
            Runnable task;
            while ((task = tasks.poll()) != null) task.run();
            draining.set(false);
            // a task submitted after the last poll but before the flag dropped would otherwise wait for the next submit
        } while (!tasks.isEmpty() && draining.compareAndSet(false, true));
    }
}
