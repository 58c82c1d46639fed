package io.baton;

/**
 * A queue's counters as its backend sees them.
 *
 * @param waiting      messages stored and not yet delivered (including delayed ones)
 * @param inFlight     messages delivered and not yet acknowledged
 * @param sent         messages accepted by {@code send} (duplicates not counted)
 * @param acked        deliveries acknowledged
 * @param redelivered  deliveries after the first (nack or lease expiry)
 * @param dropped      messages dropped by {@link Overflow#DROP_OLDEST}
 * @param rejected     sends refused because the queue was full
 * @param duplicates   sends ignored because their id was seen within the dedupe window
 */
public record QueueStats(long waiting, long inFlight, long sent, long acked, long redelivered,
                         long dropped, long rejected, long duplicates) {
}
