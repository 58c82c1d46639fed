package io.baton.store.crash;

import io.baton.Baton;
import io.baton.ConsumeOptions;
import io.baton.Message;
import io.baton.Queue;
import io.baton.QueueOptions;
import io.baton.SendOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The child side of {@link CrashTortureTest}: a process that sends, consumes and acknowledges on a
 * {@code file:} backend at full speed until it is killed with SIGKILL. It never closes anything:
 * the only way it ends is the kill (or its own watchdog, if the test JVM died).
 *
 * <p>Usage: {@code CrashWorkload DATA_DIR EVENTS_FILE STATE_FILE}. The state file, written by the
 * test, says where each producer is: {@code P producer nextSeq unconfirmed,seqs,...}. Each producer
 * first re-sends its unconfirmed messages (sent before an earlier kill, never confirmed) with the
 * same ids, in sequence order, then sends new ones from {@code nextSeq} on.
 *
 * <p>What it did goes to the events file, one line per event, each written with its own
 * {@code write} system call and never fsynced: the page cache outlives a killed process, so a line
 * is in the file as soon as its {@code write} returned. Only the last line can be torn. The order of
 * the lines follows the protocol:
 * <ul>
 *   <li>{@code S p seq} is written <em>before</em> the send is called (so anything stored was
 *       announced);</li>
 *   <li>{@code A p seq} after the send completed (so everything announced acknowledged was
 *       acknowledged); {@code F p seq error} if it failed;</li>
 *   <li>{@code C q id body qseq attempt timestamp key} when a consumer got a message, before its
 *       handler returns and acknowledges it (so nothing is acknowledged unrecorded);</li>
 *   <li>{@code R pid} once the backend is open and the consumers run; {@code X error} if the
 *       workload itself failed.</li>
 * </ul>
 */
public final class CrashWorkload {

    /** The queues under test. */
    static final String[] QUEUES = {"torture.fifo", "torture.keyed"};
    /** Whether the producers of a queue send with a key (their own). */
    static final boolean[] KEYED = {false, true};
    /** Handlers at once per queue: one for plain FIFO, several for key-ordered parallelism. */
    static final int[] CONSUMER_CONCURRENCY = {1, 4};
    /** The queue each producer sends to. */
    static final int[] PRODUCER_QUEUE = {0, 0, 1, 1, 1};
    /** Sends in flight per producer; 1 means send and wait for each. */
    static final int[] PRODUCER_WINDOW = {1, 16, 1, 8, 32};
    /**
     * Shorter than the default two minutes, so that nothing in the torture asks the log's cleanup
     * (which keeps every segment still inside some queue's dedupe window) to keep more; long enough
     * that a re-send after a restart falls well inside it. As the backend stands, the cleaner keeps at
     * least the default two minutes anyway, so the default 50 cycles see no deletion, longer runs do.
     */
    static final Duration DEDUPE_WINDOW = Duration.ofSeconds(20);
    /** Small segments: they roll every few hundred messages, and cleanup has whole ones to delete. */
    static final int SEGMENT_BYTES = 65536;
    /** Producers pause while a queue holds more than this, so backlogs (and restarts) stay small. */
    static final long BACKLOG_LIMIT = 4000;
    /** The child ends itself after this (or when its parent ends), in case the test JVM cannot kill it. */
    static final Duration SELF_DESTRUCT = Duration.ofMinutes(3);

    static final String READY = "READY";
    /** Printed on stdout when the first log segment file is deleted (the cleaner at work). */
    static final String DELETING = "DELETING";

    private CrashWorkload() {}

    static String url(Path dir) {
        return "file:" + dir + "?segmentBytes=" + SEGMENT_BYTES;
    }

    static String id(int producer, long seq) {
        return producer + ":" + seq;
    }

    static String key(int producer) {
        return "k" + producer;
    }

    static QueueOptions queueOptions() {
        return QueueOptions.builder().dedupeWindow(DEDUPE_WINDOW).build();
    }

    /** Never dead-letter (a message may be delivered, unacked, in many killed runs) and no lease expiry in a run. */
    static ConsumeOptions consumeOptions(int concurrency) {
        return ConsumeOptions.builder()
                .concurrency(concurrency)
                .maxAttempts(1_000_000)
                .ackTimeout(Duration.ofMinutes(5))
                .build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: CrashWorkload DATA_DIR EVENTS_FILE STATE_FILE");
            System.exit(64);
        }
        startWatchdog();
        Path dir = Path.of(args[0]);
        EventLog events = new EventLog(Path.of(args[1]));
        try {
            List<ProducerState> producers = readState(Path.of(args[2]));
            Baton baton = Baton.connect(url(dir)); // never closed: the process is killed
            List<Queue<String>> queues = new ArrayList<>();
            for (String name : QUEUES) {
                // The dead-letter queues too, before the consumers create them with the default two-minute
                // dedupe window: the cleaner keeps every segment younger than the longest window of any queue
                // (and, as the backend stands, never less than the default two minutes).
                baton.queue(name + ".dlq", String.class, queueOptions());
            }
            watchDeletes(dir.resolve("log"));
            for (int q = 0; q < QUEUES.length; q++) {
                Queue<String> queue = baton.queue(QUEUES[q], String.class, queueOptions());
                queues.add(queue);
                int qi = q;
                queue.consumeMessages(m -> events.consumed(qi, m), consumeOptions(CONSUMER_CONCURRENCY[q]));
            }
            events.line("R " + ProcessHandle.current().pid());
            System.out.println(READY);
            System.out.flush();
            List<Thread> threads = new ArrayList<>();
            for (ProducerState p : producers) {
                Producer producer = new Producer(p, queues.get(PRODUCER_QUEUE[p.producer]), events);
                threads.add(Thread.ofPlatform().name("producer-" + p.producer).start(producer));
            }
            for (Thread t : threads) t.join();
            events.line("X producers ended");
            System.exit(3);
        } catch (Throwable t) {
            events.line("X " + oneLine(t));
            t.printStackTrace();
            System.exit(2);
        }
    }

    /**
     * Says {@link #DELETING} on stdout at the first deletion of a segment file, so that the test can
     * aim a kill into the cleaner's pass (which deletes and fsyncs the directory segment by segment).
     */
    private static void watchDeletes(Path logDir) throws IOException {
        if (!Files.isDirectory(logDir)) return;
        WatchService watcher = logDir.getFileSystem().newWatchService();
        logDir.register(watcher, StandardWatchEventKinds.ENTRY_DELETE);
        Thread.ofPlatform().daemon(true).name("delete-watch").start(() -> {
            try {
                while (true) {
                    WatchKey key = watcher.take();
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE && event.context().toString().endsWith(".log")) {
                            System.out.println(DELETING);
                            System.out.flush();
                            watcher.close();
                            return;
                        }
                    }
                    key.reset();
                }
            } catch (InterruptedException | IOException | java.nio.file.ClosedWatchServiceException e) {
                // stop watching
            }
        });
    }

    private static void startWatchdog() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("CrashWorkload: the test JVM is gone; ending");
            Runtime.getRuntime().halt(4);
        }));
        Thread.ofPlatform().daemon(true).name("self-destruct").start(() -> {
            try {
                Thread.sleep(SELF_DESTRUCT);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("CrashWorkload: not killed after " + SELF_DESTRUCT + "; ending itself");
            Runtime.getRuntime().halt(4);
        });
    }

    record ProducerState(int producer, long next, long[] unconfirmed) {}

    /** Lines {@code P producer next u1,u2,...} (or {@code -} for none), one per producer. */
    private static List<ProducerState> readState(Path file) throws IOException {
        List<ProducerState> list = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split(" ");
            if (f.length != 4 || !f[0].equals("P")) throw new IllegalArgumentException("bad state line: " + line);
            long[] unconfirmed = f[3].equals("-") ? new long[0]
                    : java.util.Arrays.stream(f[3].split(",")).mapToLong(Long::parseLong).toArray();
            list.add(new ProducerState(Integer.parseInt(f[1]), Long.parseLong(f[2]), unconfirmed));
        }
        if (list.size() != PRODUCER_QUEUE.length) throw new IllegalArgumentException("state names " + list.size() + " producers, expected " + PRODUCER_QUEUE.length);
        return list;
    }

    /** The throwable and its first frames, on one line. */
    static String oneLine(Throwable t) {
        StringBuilder b = new StringBuilder(t.toString());
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < Math.min(4, frames.length); i++) b.append(" at ").append(frames[i]);
        if (t.getCause() != null) b.append(" caused by ").append(t.getCause());
        return b.toString().replace('\n', ' ').replace('\r', ' ');
    }

    /** One producer: re-sends what it could not confirm, then new messages, {@code window} in flight. */
    private static final class Producer implements Runnable {
        private record InFlight(long seq, CompletableFuture<Void> future) {}

        private final int p;
        private final ProducerState state;
        private final Queue<String> queue;
        private final EventLog events;
        private final int window;
        private final String key;
        private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
        private long sends;

        Producer(ProducerState state, Queue<String> queue, EventLog events) {
            this.p = state.producer;
            this.state = state;
            this.queue = queue;
            this.events = events;
            this.window = PRODUCER_WINDOW[p];
            this.key = KEYED[PRODUCER_QUEUE[p]] ? key(p) : null;
        }

        @Override
        public void run() {
            try {
                for (long seq : state.unconfirmed) send(seq);
                for (long seq = state.next; ; seq++) {
                    throttle();
                    send(seq);
                }
            } catch (Throwable t) {
                events.line("X producer " + p + ": " + oneLine(t));
            }
        }

        private void send(long seq) {
            while (inFlight.size() >= window) complete(inFlight.poll());
            String id = id(p, seq);
            events.line("S " + p + " " + seq);
            CompletableFuture<Void> f;
            try {
                f = queue.sendAsync(id, SendOptions.builder().id(id).key(key).build());
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            inFlight.add(new InFlight(seq, f));
            while (!inFlight.isEmpty() && inFlight.peek().future.isDone()) complete(inFlight.poll());
        }

        private void complete(InFlight x) {
            try {
                x.future.join();
                events.line("A " + p + " " + x.seq);
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                events.line("F " + p + " " + x.seq + " " + oneLine(cause));
            }
        }

        private void throttle() throws InterruptedException {
            if (++sends % 64 != 0) return;
            while (queue.stats().waiting() > BACKLOG_LIMIT) {
                while (!inFlight.isEmpty() && inFlight.peek().future.isDone()) complete(inFlight.poll());
                Thread.sleep(1);
            }
        }
    }

    /** Lines appended to a file with one {@code write} each, under one lock so they keep their order. */
    static final class EventLog {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);

        EventLog(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        void consumed(int queue, Message<String> m) {
            line("C " + queue + " " + token(m.id()) + " " + token(m.body()) + " " + m.sequence() + " " + m.attempt()
                    + " " + m.timestamp().toEpochMilli() + " " + token(m.key()));
        }

        /** A field without spaces: {@code -} for null, whitespace replaced, long values cut. */
        private static String token(String s) {
            if (s == null) return "-";
            if (s.isEmpty()) return "\"\"";
            if (s.length() > 200) s = s.substring(0, 200) + "...";
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                b.append(c <= ' ' || c > '~' ? '?' : c);
            }
            return b.toString();
        }

        synchronized void line(String text) {
            buffer.clear();
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(bytes.length, buffer.capacity() - 1);
            buffer.put(bytes, 0, n).put((byte) '\n').flip();
            try {
                while (buffer.hasRemaining()) channel.write(buffer);
            } catch (IOException e) {
                System.err.println("CrashWorkload: cannot write events: " + e);
                Runtime.getRuntime().halt(5);
            }
        }
    }
}
