package io.baton.spi;

/**
 * One delivery attempt of a stored message.
 *
 * @param envelope the message
 * @param token    names this attempt for ack/nack/extend; a token of an older attempt is ignored
 * @param attempt  1 on first delivery, +1 on every redelivery
 * @param sequence the message's position in its queue or topic, from 1
 */
public record Delivery(Envelope envelope, long token, int attempt, long sequence) {
}
