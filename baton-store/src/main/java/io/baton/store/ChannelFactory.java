package io.baton.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens every file and directory channel the log uses, so that tests can put a model of the disk
 * underneath it (the fault-injecting channel that drops unsynced writes, tears tails and flips
 * bits). The log opens segment files with {@code READ}/{@code WRITE}/{@code CREATE_NEW}, and the
 * log directory with {@code READ} only, to fsync it.
 */
@FunctionalInterface
public interface ChannelFactory {

    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;

    /** {@link FileChannel#open(Path, Set, java.nio.file.attribute.FileAttribute[])}: the real disk. */
    ChannelFactory DEFAULT = (path, options) -> FileChannel.open(path, options);
}
