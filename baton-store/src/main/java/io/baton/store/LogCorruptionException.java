package io.baton.store;

import io.baton.BatonException;
import java.nio.file.Path;

/** A record failed its checksum somewhere other than a torn tail. Carries the file and offset. */
public class LogCorruptionException extends BatonException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public LogCorruptionException(Path file, long offset, String message) {
        super(file + " at offset " + offset + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    public Path file() { return file; }

    public long offset() { return offset; }
}
