/**
 * The {@code mem:} backend: queues, topics and RPC in this JVM's heap. One lock per queue; topics
 * fan out on the publisher's thread into non-blocking sinks; durable subscriptions are queues fed
 * by publish. No threads of its own: timers are handled by whoever takes a queue's lock next.
 * Deliberately missing: durability (see {@code file:}).
 */
package io.baton.internal.mem;
