package io.baton.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * What handlers saw, in the order they saw it. Handlers only record; the test thread waits and
 * asserts. Thread-safe; accepts nulls.
 */
public final class Recorder<T> {
    private final List<T> items = new ArrayList<>();

    /** Records one item; safe from any thread. */
    public synchronized void add(T item) {
        items.add(item);
    }

    /** A snapshot of everything recorded so far. */
    public synchronized List<T> items() {
        return new ArrayList<>(items);
    }

    public synchronized int size() {
        return items.size();
    }

    public synchronized boolean contains(T item) {
        return items.contains(item);
    }

    /** Waits until at least {@code count} items were recorded, then returns a snapshot. */
    public List<T> awaitSize(int count) {
        Awaitility.await("at least " + count + " recorded").atMost(BackendTck.TIMEOUT)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> size() >= count);
        return items();
    }

    /** Waits until {@code item} was recorded, then returns a snapshot. */
    public List<T> awaitContains(T item) {
        Awaitility.await(item + " recorded").atMost(BackendTck.TIMEOUT)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> contains(item));
        return items();
    }

    @Override
    public synchronized String toString() {
        return items.toString();
    }
}
