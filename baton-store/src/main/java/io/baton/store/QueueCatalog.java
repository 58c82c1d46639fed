package io.baton.store;

import io.baton.Overflow;
import io.baton.QueueOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The options each queue was created with, in {@code queues.json}: a queue keeps its options
 * across restarts, and the log's segments can go without taking them along.
 */
final class QueueCatalog {

    /** The stored form of {@link QueueOptions}. */
    record Entry(long maxLength, long maxBytes, Overflow overflow, long blockTimeoutMillis, long dedupeWindowMillis) {
        static Entry of(QueueOptions o) {
            return new Entry(o.maxLength(), o.maxBytes(), o.overflow(), o.blockTimeout().toMillis(), o.dedupeWindow().toMillis());
        }

        QueueOptions options() {
            return QueueOptions.builder().maxLength(maxLength).maxBytes(maxBytes).overflow(overflow)
                    .blockTimeout(Duration.ofMillis(blockTimeoutMillis)).dedupeWindow(Duration.ofMillis(dedupeWindowMillis)).build();
        }
    }

    private final JsonCatalog<Entry> entries;

    QueueCatalog(Path dir) throws IOException {
        this.entries = new JsonCatalog<>(dir.resolve("queues.json"), Entry.class);
    }

    QueueOptions get(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.options();
    }

    void put(String name, QueueOptions options) throws IOException {
        entries.put(name, Entry.of(options));
    }

    long longestDedupeWindowMillis() {
        long longest = 0;
        for (Entry e : entries.entries().values()) longest = Math.max(longest, e.dedupeWindowMillis());
        return longest;
    }
}
