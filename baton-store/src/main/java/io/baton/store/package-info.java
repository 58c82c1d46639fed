/**
 * Baton's storage: an append-only segmented log, and on it the durable queues and topics of the
 * {@code file:} backend.
 *
 * <p>The log: {@link io.baton.store.SegmentedLog} keeps typed byte records
 * ({@link io.baton.store.LogRecord}) in a directory of segment files, each record with a format
 * version, its length, its append time and CRC32C checksums; {@code docs/log-format.md} specifies
 * the bytes. {@link io.baton.store.LogOptions} chooses the {@link io.baton.store.Durability} (fsync
 * group commit by default; an interval and an OS-buffered mode, named for what they risk), the
 * segment size and the record limit. Opening recovers: a torn tail is cut off, damage anywhere else
 * is reported in a {@link io.baton.store.RecoveryReport}, quarantined and skipped, never deleted.
 * Retention deletes whole sealed segments: by position (everything acknowledged) or by age.
 *
 * <p>Thread model: one writer thread per log ({@code baton-log-writer <dir>}) does every write,
 * fsync and roll. {@code append} only queues, from any thread, and never blocks; the writer takes
 * everything queued as one batch, writes it, fsyncs it once and completes the batch's futures on
 * its own thread, so callbacks chained without {@code *Async} must be short and must not wait on
 * the log. Replays run on the caller's thread, concurrently with appends and with each other, and
 * see only completed appends. Retention runs on the caller's thread too.
 *
 * <p>Failures a caller can act on have their own exception: {@link io.baton.store.StoreFullException}
 * (disk full; nothing corrupted, later appends succeed once there is space),
 * {@link io.baton.store.StoreException} (other I/O), {@link io.baton.store.LogClosedException},
 * {@link io.baton.store.LogCorruptionException} (a record changed on disk after it was verified).
 *
 * <p>Tests put a model of the disk under the log through {@link io.baton.store.ChannelFactory}: it
 * drops or tears unsynced writes on a simulated power loss, flips bits and fills the disk.
 *
 * <p>Deliberately missing: replication (past one machine Baton runs on a distributed engine),
 * compaction and compression (records are opaque), an on-disk index (positions are byte offsets; a
 * sparse index is rebuilt in memory at open), memory mapping and preallocation, and back-pressure
 * inside the log: callers bound what they have in flight (a {@code file:} send waits for its append).
 */
package io.baton.store;
