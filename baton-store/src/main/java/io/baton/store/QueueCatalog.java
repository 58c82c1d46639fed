package io.baton.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.Overflow;
import io.baton.QueueOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The options each queue was created with, in {@code queues.json}: a queue keeps its options
 * across restarts, and the log's segments can go without taking them along. Rewritten whole
 * (temporary file, fsync, atomic rename, fsync of the directory) when a queue is created.
 */
final class QueueCatalog {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    private final Path file;
    private final TreeMap<String, Entry> entries = new TreeMap<>();

    QueueCatalog(Path dir) throws IOException {
        this.file = dir.resolve("queues.json");
        if (Files.exists(file)) entries.putAll(JSON.readValue(file.toFile(), new TypeReference<Map<String, Entry>>() {}));
    }

    synchronized QueueOptions get(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.options();
    }

    synchronized void put(String name, QueueOptions options) throws IOException {
        entries.put(name, Entry.of(options));
        Path tmp = file.resolveSibling("queues.json.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(entries)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    synchronized long longestDedupeWindowMillis() {
        long longest = 0;
        for (Entry e : entries.values()) longest = Math.max(longest, e.dedupeWindowMillis());
        return longest;
    }
}
