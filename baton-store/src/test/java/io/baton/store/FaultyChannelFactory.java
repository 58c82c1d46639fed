package io.baton.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model of a disk under the log, for tests. Files are real (so directory listings, copies and
 * deletes work), but the model remembers, per file, what a real disk would hold: a write reaches
 * only the page cache; {@code force} makes the page cache durable. {@link #powerLoss} then rewrites
 * every file to what survives: the durable bytes, plus (if asked) a torn prefix of the unsynced
 * changes, or zeros where they were; a file created since the last directory fsync may vanish.
 * Every channel opened before the power loss dies (its process is gone). Also: bit flips, a full
 * disk ({@code No space left on device} on writes and/or forces, a partial write first), a power
 * loss injected at the Nth write/force/truncate/create, a slow force, and counters.
 */
final class FaultyChannelFactory implements ChannelFactory {

    /** What a power loss does to the bytes written since the last fsync. */
    enum Loss {
        /** All of them are lost. */
        DROP_UNSYNCED,
        /** A random prefix of them survives: the tail is torn at a random byte. */
        TEAR,
        /** The file keeps a random part of the new length, but zeros where the data was (metadata got there, data did not). */
        TEAR_ZEROS,
        /** No power loss: only the process dies, and the page cache reaches the disk (kill -9). */
        PROCESS_ONLY
    }

    private final Random random;
    private final Map<Path, FileModel> files = new HashMap<>();
    private final Set<Path> directories = new java.util.HashSet<>();
    private int generation;

    private final AtomicLong forces = new AtomicLong();
    private final AtomicLong directoryForces = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private volatile long forceDelayNanos;
    private volatile boolean passThroughForce;

    private long ops;
    private long crashAtOp = -1;
    private Loss crashLoss = Loss.TEAR;
    private boolean crashed;
    private boolean fullOnWrite;
    private boolean fullOnForce;
    private long fullFromOp = Long.MAX_VALUE;
    private long fullUntilOp = Long.MAX_VALUE;

    FaultyChannelFactory(long seed) {
        this.random = new Random(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);  // small seeds make correlated first draws
    }

    // ---- knobs ----

    /** Each force sleeps this long first, like a real disk; forces of concurrent batches queue behind it. */
    FaultyChannelFactory forceDelay(long nanos) { this.forceDelayNanos = nanos; return this; }

    /** Also force the real file (to measure group commit against the real disk). */
    FaultyChannelFactory passThroughForce(boolean on) { this.passThroughForce = on; return this; }

    /** While on, writes fail with ENOSPC after writing a random part of their bytes. */
    synchronized void diskFullOnWrite(boolean on) { fullOnWrite = on; }

    /** While on, forces fail with ENOSPC (nothing becomes durable). */
    synchronized void diskFullOnForce(boolean on) { fullOnForce = on; }

    /** Writes, forces and creates numbered [from, until) of the op count fail with ENOSPC. */
    synchronized void diskFullBetweenOps(long from, long until) { fullFromOp = from; fullUntilOp = until; }

    /** The Nth write/force/truncate/create/directory fsync from now on crashes (power loss or process crash) instead of running. */
    synchronized void crashAtOp(long opsFromNow, Loss loss) {
        crashAtOp = ops + opsFromNow;
        crashLoss = loss;
    }

    synchronized long ops() { return ops; }

    /** Whether an injected power loss has happened (and not been followed by {@link #reboot}). */
    synchronized boolean crashed() { return crashed; }

    long forces() { return forces.get(); }

    long directoryForces() { return directoryForces.get(); }

    long writes() { return writes.get(); }

    // ---- disasters ----

    /** The power goes out now: every file becomes what the disk holds, every open channel dies. */
    synchronized void powerLoss(Loss loss) {
        if (loss == Loss.PROCESS_ONLY) {
            processCrash();
            return;
        }
        generation++;
        crashed = true;
        crashAtOp = -1;
        for (var it = files.entrySet().iterator(); it.hasNext(); ) {
            FileModel file = it.next().getValue();
            if (!Files.exists(file.path)) { it.remove(); continue; }  // deleted: deletes are durable here
            if (!file.directorySynced && random.nextBoolean()) {
                delete(file.path);
                it.remove();
                continue;
            }
            file.loseUnsynced(loss, random);
            file.writeToRealFile();
        }
    }

    /** The process dies but the machine stays up: every open channel dies, the page cache survives. */
    synchronized void processCrash() {
        generation++;
        crashed = true;
        crashAtOp = -1;
        for (FileModel file : files.values()) file.syncAll();
    }

    /** After a crash: new channels work, the fault knobs are reset. */
    synchronized void reboot() {
        crashed = false;
        crashAtOp = -1;
        fullOnWrite = fullOnForce = false;
        fullFromOp = fullUntilOp = Long.MAX_VALUE;
    }

    /** Flips one bit of a file, on the disk and in the page cache alike. */
    synchronized void flipBit(Path path, long offset, int bit) throws IOException {
        Path key = path.toAbsolutePath();
        byte[] content = Files.readAllBytes(key);
        content[(int) offset] ^= (byte) (1 << bit);
        Files.write(key, content);
        FileModel file = files.get(key);
        if (file != null) file.flip((int) offset, bit);
    }

    /** The durable bytes of a file (what a power loss now would leave, before tearing). */
    synchronized byte[] durableBytes(Path path) {
        FileModel file = files.get(path.toAbsolutePath());
        return file == null ? null : Arrays.copyOf(file.disk, file.diskLength);
    }

    // ---- ChannelFactory ----

    @Override
    public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        Path key = path.toAbsolutePath();
        synchronized (this) {
            // Few file-system calls here: they are most of the cost of the power-loss cases.
            FileModel file = files.get(key);
            boolean createNew = options.contains(StandardOpenOption.CREATE_NEW);
            if (file == null && !createNew && (directories.contains(key) || Files.isDirectory(key))) {
                directories.add(key);
                return new FaultyChannel(FileChannel.open(key, options), null, key, generation);
            }
            if (options.contains(StandardOpenOption.CREATE)) throw new UnsupportedOperationException("the log opens with CREATE_NEW only");
            if (createNew && op("create")) throw new IOException("No space left on device");
            FileChannel real = FileChannel.open(key, options);  // CREATE_NEW fails if it exists; others if it does not
            if (createNew) {
                file = new FileModel(key, new byte[0], false);
                files.put(key, file);
            } else if (file == null) {
                file = new FileModel(key, Files.readAllBytes(key), true);
                files.put(key, file);
            }
            if (options.contains(StandardOpenOption.TRUNCATE_EXISTING)) file.truncate(0);
            return new FaultyChannel(real, file, null, generation);
        }
    }

    /** Counts an op and loses power if it is due now; returns whether the op finds the disk full. */
    private boolean op(String what) throws IOException {
        ops++;
        if (ops == crashAtOp) {
            powerLoss(crashLoss);
            throw new IOException("simulated " + (crashLoss == Loss.PROCESS_ONLY ? "crash" : "power loss") + " during " + what);
        }
        return ops >= fullFromOp && ops < fullUntilOp;
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One file: its page cache and its durable bytes. */
    private static final class FileModel {
        final Path path;
        byte[] cache;
        int cacheLength;
        byte[] disk;
        int diskLength;
        int dirtyFrom = Integer.MAX_VALUE;  // lowest offset changed since the last force
        boolean directorySynced;

        FileModel(Path path, byte[] content, boolean existed) {
            this.path = path;
            this.cache = content.clone();
            this.cacheLength = content.length;
            this.disk = content.clone();
            this.diskLength = content.length;
            this.directorySynced = existed;
        }

        void write(long position, ByteBuffer bytes) {
            int at = (int) position;
            int n = bytes.remaining();
            if (at + n > cache.length) cache = Arrays.copyOf(cache, Math.max(at + n, cache.length * 2));
            if (at > cacheLength) Arrays.fill(cache, cacheLength, at, (byte) 0);
            bytes.get(cache, at, n);
            cacheLength = Math.max(cacheLength, at + n);
            dirtyFrom = Math.min(dirtyFrom, at);
        }

        void truncate(long size) {
            if (size < cacheLength) {
                cacheLength = (int) size;
                dirtyFrom = Math.min(dirtyFrom, (int) size);
            }
        }

        void force() {
            if (dirtyFrom == Integer.MAX_VALUE) return;
            if (disk.length < cacheLength) disk = Arrays.copyOf(disk, Math.max(cacheLength, disk.length * 2));
            if (dirtyFrom < cacheLength) System.arraycopy(cache, dirtyFrom, disk, dirtyFrom, cacheLength - dirtyFrom);
            diskLength = cacheLength;
            dirtyFrom = Integer.MAX_VALUE;
        }

        void syncAll() {
            force();
            directorySynced = true;
        }

        /** Becomes what the disk holds, plus a torn part of the unsynced changes. */
        void loseUnsynced(Loss loss, Random random) {
            byte[] survivor = Arrays.copyOf(disk, diskLength);
            int length = diskLength;
            if (dirtyFrom != Integer.MAX_VALUE && dirtyFrom < cacheLength && loss != Loss.DROP_UNSYNCED) {
                int kept = random.nextInt(cacheLength - dirtyFrom + 1);
                length = Math.max(diskLength, dirtyFrom + kept);
                survivor = Arrays.copyOf(survivor, length);
                if (loss == Loss.TEAR) System.arraycopy(cache, dirtyFrom, survivor, dirtyFrom, kept);
                else Arrays.fill(survivor, dirtyFrom, dirtyFrom + kept, (byte) 0);
            }
            cache = survivor;
            cacheLength = length;
            disk = survivor.clone();
            diskLength = length;
            dirtyFrom = Integer.MAX_VALUE;
            directorySynced = true;
        }

        void writeToRealFile() {
            try {
                Files.write(path, Arrays.copyOf(cache, cacheLength));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void flip(int offset, int bit) {
            if (offset < cacheLength) cache[offset] ^= (byte) (1 << bit);
            if (offset < diskLength) disk[offset] ^= (byte) (1 << bit);
        }
    }

    /** A real channel whose writes, truncates and forces also go through the model. */
    private final class FaultyChannel extends FileChannel {
        private final FileChannel real;
        private final FileModel file;  // null for a directory
        private final Path dir;        // set for a directory
        private final int openedIn;

        FaultyChannel(FileChannel real, FileModel file, Path dir, int generation) {
            this.real = real;
            this.file = file;
            this.dir = dir;
            this.openedIn = generation;
        }

        private void alive() throws IOException {
            if (openedIn != generation) throw new IOException("simulated crash: the process that opened this channel is gone");
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            synchronized (FaultyChannelFactory.this) { alive(); }
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            synchronized (FaultyChannelFactory.this) { alive(); }
            return real.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (FaultyChannelFactory.this) { alive(); }
            return real.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            synchronized (FaultyChannelFactory.this) {
                long position = real.position();
                int n = write(src, position);
                real.position(position + n);
                return n;
            }
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int k = offset; k < offset + length; k++) n += write(srcs[k]);
            return n;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            synchronized (FaultyChannelFactory.this) {
                alive();
                writes.incrementAndGet();
                boolean full = op("write") | fullOnWrite;
                int n = src.remaining();
                if (full) n = random.nextInt(n + 1);  // a partial write, then the error
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + n);
                ByteBuffer forModel = part.duplicate();
                int done = 0;
                while (done < n) done += real.write(part, position + done);
                file.write(position, forModel);
                src.position(src.position() + n);
                if (full) throw new IOException("No space left on device");
                return n;
            }
        }

        @Override
        public long position() throws IOException { return real.position(); }

        @Override
        public FileChannel position(long newPosition) throws IOException { real.position(newPosition); return this; }

        @Override
        public long size() throws IOException {
            synchronized (FaultyChannelFactory.this) { alive(); }
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            synchronized (FaultyChannelFactory.this) {
                alive();
                op("truncate");
                real.truncate(size);
                file.truncate(size);
                return this;
            }
        }

        @Override
        public void force(boolean metaData) throws IOException {
            long delay = forceDelayNanos;
            if (delay > 0) java.util.concurrent.locks.LockSupport.parkNanos(delay);
            synchronized (FaultyChannelFactory.this) {
                alive();
                if (file == null) {
                    op("directory fsync");
                    directoryForces.incrementAndGet();
                    for (FileModel f : files.values()) {
                        if (dir.equals(f.path.getParent())) f.directorySynced = true;
                    }
                    if (passThroughForce) real.force(metaData);
                    return;
                }
                if (op("fsync") | fullOnForce) throw new IOException("No space left on device");
                forces.incrementAndGet();
                file.force();
            }
            if (passThroughForce) real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) { throw new UnsupportedOperationException(); }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) { throw new UnsupportedOperationException(); }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) { throw new UnsupportedOperationException(); }

        @Override
        public FileLock lock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (var listing = Files.list(dir)) {
            return new ArrayList<>(listing.filter(p -> p.getFileName().toString().matches("\\d{20}\\.log")).sorted().toList());
        }
    }
}
