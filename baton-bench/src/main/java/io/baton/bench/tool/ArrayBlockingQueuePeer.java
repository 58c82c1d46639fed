package io.baton.bench.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The in-JVM floor: the same workload through {@link ArrayBlockingQueue}s (capacity
 * {@value #CAPACITY}) between platform threads, nothing stored, nothing acknowledged:
 * <ul>
 *   <li>queue: producers {@code put} into one queue, consumers loop on {@code take};</li>
 *   <li>pubsub: one queue per subscriber, a publisher {@code put}s each message into every one;</li>
 *   <li>rpc: callers {@code put} a request holding their own reply queue (capacity 1) into one
 *       request queue; servers {@code take} it and {@code put} the body back as the reply.</li>
 * </ul>
 */
public final class ArrayBlockingQueuePeer implements BenchSystem {
    static final int CAPACITY = 1024;
    private static final long CALL_TIMEOUT_SECONDS = 5;

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public String label(BenchSpec spec) {
        return "jdk ArrayBlockingQueue" + (spec.durable() ? " (in memory)" : "");
    }

    @Override
    public String describe(BenchSpec spec) {
        String what = switch (spec.workload()) {
            case QUEUE -> "producers `put` into one `ArrayBlockingQueue`, consumers (platform threads) loop on `take`";
            case PUBSUB -> "one `ArrayBlockingQueue` per subscriber (a platform thread on `take`); a publisher `put`s each message into every one";
            case RPC -> "callers `put` a request with their own reply queue into one `ArrayBlockingQueue`; servers (platform threads) `take` it and `put` the body back";
        };
        return what + "; capacity " + CAPACITY + ", in this JVM" + (spec.durable() ? ": in memory, not durable, shown as the floor" : "");
    }

    private record Request(byte[] body, BlockingQueue<byte[]> reply) {}

    @Override
    public Session open(BenchSpec spec, Meter meter) {
        List<Thread> threads = new ArrayList<>();
        List<BlockingQueue<byte[]>> inboxes = new ArrayList<>();
        BlockingQueue<Request> requests = new ArrayBlockingQueue<>(CAPACITY);
        BlockingQueue<byte[]> shared = new ArrayBlockingQueue<>(CAPACITY);
        for (int i = 0; i < spec.consumers(); i++) {
            BlockingQueue<byte[]> inbox = spec.workload() == Workload.PUBSUB ? new ArrayBlockingQueue<>(CAPACITY) : shared;
            inboxes.add(inbox);
            Runnable loop = switch (spec.workload()) {
                case QUEUE, PUBSUB -> () -> {
                    try {
                        while (true) meter.received(inbox.take());
                    } catch (InterruptedException e) {
                        // closed
                    }
                };
                case RPC -> () -> {
                    try {
                        while (true) {
                            Request r = requests.take();
                            r.reply().put(r.body());
                        }
                    } catch (InterruptedException e) {
                        // closed
                    }
                };
            };
            threads.add(Thread.ofPlatform().daemon().name("bench-jdk-" + spec.consumerRole() + "-" + i).start(loop));
        }
        return new Session() {
            @Override
            public BenchSystem.Send sender(int index) {
                List<BlockingQueue<byte[]>> targets = spec.workload() == Workload.PUBSUB ? inboxes : List.of(shared);
                return body -> {
                    for (BlockingQueue<byte[]> inbox : targets) inbox.put(body);
                    return null;
                };
            }

            @Override
            public BenchSystem.Call caller(int index) {
                BlockingQueue<byte[]> reply = new ArrayBlockingQueue<>(1);
                return body -> {
                    requests.put(new Request(body, reply));
                    byte[] answer = reply.poll(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    if (answer == null) throw new IllegalStateException("no reply within " + CALL_TIMEOUT_SECONDS + " s");
                    return answer;
                };
            }

            @Override
            public void close() {
                threads.forEach(Thread::interrupt);
                for (Thread t : threads) {
                    try {
                        t.join(TimeUnit.SECONDS.toMillis(5));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        };
    }
}
