package io.baton.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named entries kept in one JSON file of a data directory, for what must outlive the log's
 * segments (a queue's options, a durable subscription's definition). Rewritten whole on every
 * change: temporary file, fsync, atomic rename, fsync of the directory; so a crash leaves the old
 * file or the new one, never a torn one.
 */
final class JsonCatalog<E> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final TreeMap<String, E> entries = new TreeMap<>();

    JsonCatalog(Path file, Class<E> type) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            TypeFactory types = JSON.getTypeFactory();
            Map<String, E> stored = JSON.readValue(file.toFile(), types.constructMapType(TreeMap.class, String.class, type));
            entries.putAll(stored);
        }
    }

    synchronized E get(String name) {
        return entries.get(name);
    }

    /** A copy of every entry, by name. */
    synchronized Map<String, E> entries() {
        return new TreeMap<>(entries);
    }

    /** Adds or replaces an entry; if the file cannot be written, the catalog stays as it was. */
    synchronized void put(String name, E entry) throws IOException {
        TreeMap<String, E> next = new TreeMap<>(entries);
        next.put(name, entry);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(next)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
        entries.put(name, entry);
    }
}
