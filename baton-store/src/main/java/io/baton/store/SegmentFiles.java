package io.baton.store;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/** File-system steps shared by recovery and the writer: create a segment, fsync a directory, copy aside. */
final class SegmentFiles {

    static final Set<java.nio.file.StandardOpenOption> READ_ONLY = EnumSet.of(READ);
    static final Set<java.nio.file.StandardOpenOption> READ_WRITE = EnumSet.of(READ, WRITE);

    private SegmentFiles() {}

    /**
     * Creates the segment file for {@code base}: header written and fsynced, then the directory
     * fsynced, so the file exists after a power loss before any record goes into it. On failure
     * nothing is left behind.
     */
    static FileChannel create(ChannelFactory channels, Path dir, long base, long createdMillis) throws IOException {
        Path path = dir.resolve(Segment.fileName(base));
        FileChannel channel = channels.open(path, EnumSet.of(CREATE_NEW, READ, WRITE));
        try {
            writeHeader(channel, base, createdMillis);
            fsyncDirectory(channels, dir);
            return channel;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            try {
                Files.deleteIfExists(path);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Writes a fresh segment header at offset 0 of an empty file and fsyncs it. */
    static void writeHeader(FileChannel channel, long base, long createdMillis) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(LogRecordFormat.SEGMENT_HEADER_BYTES);
        LogRecordFormat.putSegmentHeader(header, base, createdMillis);
        header.flip();
        writeFully(channel, header, 0);
        channel.force(false);
    }

    static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) at += channel.write(buffer, at);
    }

    /** Makes creations and deletions in {@code dir} durable. Skipped where directories cannot be opened (Windows). */
    static void fsyncDirectory(ChannelFactory channels, Path dir) throws IOException {
        FileChannel channel;
        try {
            channel = channels.open(dir, READ_ONLY);
        } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
            return;
        }
        try (channel) {
            channel.force(true);
        }
    }

    /**
     * Copies a damaged segment aside as {@code <name>.corrupt} (or {@code .corrupt.N} if an
     * earlier, different copy is there), fsynced. An identical earlier copy is reused.
     */
    static Path quarantine(ChannelFactory channels, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName() + ".corrupt";
        Path copy = dir.resolve(name);
        for (int n = 1; Files.exists(copy); n++) {
            if (Files.mismatch(copy, file) == -1) return copy;
            copy = dir.resolve(name + "." + n);
        }
        try (FileChannel in = channels.open(file, READ_ONLY);
             FileChannel out = channels.open(copy, EnumSet.of(CREATE_NEW, WRITE))) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            long at = 0;
            while (true) {
                buffer.clear();
                int n = in.read(buffer, at);
                if (n < 0) break;
                buffer.flip();
                writeFully(out, buffer, at);
                at += n;
            }
            out.force(false);
        }
        fsyncDirectory(channels, dir);
        return copy;
    }

    static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do with it
        }
    }
}
