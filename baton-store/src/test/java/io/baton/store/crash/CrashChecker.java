package io.baton.store.crash;

import static io.baton.store.crash.CrashWorkload.KEYED;
import static io.baton.store.crash.CrashWorkload.PRODUCER_QUEUE;
import static io.baton.store.crash.CrashWorkload.QUEUES;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Everything the crash torture's children said they did, cycle after cycle, and the checks on it.
 * Events are checked as they are read, in the order the child wrote them:
 * <ol>
 *   <li><b>nothing acknowledged is lost</b>: every {@code A} (a send that returned) is delivered in
 *       some cycle or in the final drain ({@link #finish()});</li>
 *   <li><b>nothing appears that was never sent</b>: every delivered message has a well-formed id of
 *       a known producer, announced by an {@code S} before, on the queue it was sent to, with its
 *       body equal to its id and the sender's key;</li>
 *   <li><b>per-producer order</b>: the first deliveries of one producer's messages come in
 *       increasing sequence order, across all cycles and the drain (one consumer on the FIFO
 *       queue; one at a time per key on the keyed queue);</li>
 *   <li><b>dedupe across restarts</b>: one id is one stored message. A re-send after a restart
 *       that stored a second copy shows as a second queue sequence number for the id; it is a
 *       failure when the two copies' send timestamps are inside the dedupe window;</li>
 *   <li>a queue sequence number names one message: two ids with one sequence number is a
 *       failure too (an old ACK record could then acknowledge the new message at replay).</li>
 * </ol>
 */
final class CrashChecker {

    /** The pseudo-cycle of the deliveries of the final drain. */
    static final int DRAIN = Integer.MAX_VALUE - 1;
    /** The pseudo-cycle of the reopening after the drain. */
    static final int REOPEN = Integer.MAX_VALUE;
    private static final int EXAMPLES = 15;
    /** Timestamps are read from a clock that may lag by a few ms; be generous at the window's edge. */
    private static final long WINDOW_MARGIN_MILLIS = 1000;

    private final long dedupeWindowMillis;
    /** Timestamps are stored as ints relative to this (an hour before the checker was made). */
    private final long baseMillis = System.currentTimeMillis() - 3_600_000;
    private final Producer[] producers = new Producer[PRODUCER_QUEUE.length];
    private final BitSet[] usedQueueSeqs = new BitSet[QUEUES.length];
    /** Ids stored more than once (legitimately, past the window, or not): their queue sequence numbers. */
    private final Map<String, Set<Long>> extraCopies = new HashMap<>();
    private final Map<String, Violations> violations = new LinkedHashMap<>();

    // statistics
    long sends, resends, acks, deliveries, firstDeliveries, redeliveries, duplicatesPastWindow, tornLines;
    long redeliveredWithAttemptOne;

    CrashChecker(long dedupeWindowMillis) {
        this.dedupeWindowMillis = dedupeWindowMillis;
        for (int p = 0; p < producers.length; p++) producers[p] = new Producer(p);
        for (int q = 0; q < QUEUES.length; q++) usedQueueSeqs[q] = new BitSet();
    }

    /** What one producer sent and what became of it, by its own sequence number. */
    private static final class Producer {
        final int p;
        long next;
        final TreeSet<Long> unconfirmed = new TreeSet<>();
        final BitSet sent = new BitSet();
        final BitSet acked = new BitSet();
        final BitSet delivered = new BitSet();
        // Compact columns indexed by the producer's sequence number: the long profile stores tens of millions.
        final Chars sentCycle = new Chars();
        final Chars ackCycle = new Chars();
        final Chars firstDeliveryCycle = new Chars();
        final Ints queueSeq = new Ints();
        /** The first stored copy's send timestamp, in ms after {@link #baseMillis}. */
        final Ints timestamp = new Ints();
        long lastFirst = -1;
        int lastFirstCycle;

        Producer(int p) {
            this.p = p;
        }
    }

    // ---------------------------------------------------------------- state for the next child

    /** The state file the next child reads: each producer's next sequence and unconfirmed sends. */
    String stateForNextRun() {
        StringBuilder b = new StringBuilder();
        for (Producer pr : producers) {
            b.append("P ").append(pr.p).append(' ').append(pr.next).append(' ');
            b.append(pr.unconfirmed.isEmpty() ? "-" : pr.unconfirmed.stream().map(String::valueOf).collect(Collectors.joining(",")));
            b.append('\n');
        }
        return b.toString();
    }

    int unconfirmedCount() {
        return Arrays.stream(producers).mapToInt(pr -> pr.unconfirmed.size()).sum();
    }

    // ---------------------------------------------------------------- reading a cycle

    /** What one cycle's events file held. */
    record CycleEvents(boolean ready, long sends, long resends, long acks, long deliveries) {}

    CycleEvents readCycle(int cycle, Path events) throws IOException {
        if (!Files.exists(events)) return new CycleEvents(false, 0, 0, 0, 0);
        byte[] bytes = Files.readAllBytes(events);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') end--; // a torn last line: its event did not finish
        if (end < bytes.length) tornLines++;
        String text = new String(bytes, 0, end, StandardCharsets.US_ASCII);
        long s0 = sends, r0 = resends, a0 = acks, d0 = deliveries;
        boolean ready = false;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) continue;
            try {
                ready |= event(cycle, line);
            } catch (RuntimeException e) {
                violation("harness: unreadable event line", cycle, events.getFileName() + " line " + lineNo + ": '" + line + "' (" + e + ")");
            }
        }
        return new CycleEvents(ready, sends - s0, resends - r0, acks - a0, deliveries - d0);
    }

    private boolean event(int cycle, String line) {
        String[] f = line.split(" ");
        switch (f[0]) {
            case "R" -> {
                return true;
            }
            case "S" -> sent(cycle, producer(f[1]), Long.parseLong(f[2]));
            case "A" -> acked(cycle, producer(f[1]), Long.parseLong(f[2]));
            case "F" -> {
                String[] g = line.split(" ", 4);
                violation("a send failed in the child", cycle, CrashWorkload.id(producer(g[1]).p, Long.parseLong(g[2])) + ": " + (g.length > 3 ? g[3] : "?"));
            }
            case "C" -> {
                if (f.length != 8) throw new IllegalArgumentException("a C line has 8 fields");
                delivered(cycle, Integer.parseInt(f[1]), f[2], f[3], Long.parseLong(f[4]), Integer.parseInt(f[5]),
                        Long.parseLong(f[6]), f[7].equals("-") ? null : f[7]);
            }
            case "X" -> violation("the workload failed in the child", cycle, line.substring(1).trim());
            default -> throw new IllegalArgumentException("unknown event");
        }
        return false;
    }

    private Producer producer(String field) {
        int p = Integer.parseInt(field);
        if (p < 0 || p >= producers.length) throw new IllegalArgumentException("no producer " + p);
        return producers[p];
    }

    private void sent(int cycle, Producer pr, long seq) {
        int i = index(seq);
        sends++;
        if (seq < pr.next) {
            resends++;
        } else if (seq == pr.next) {
            pr.next = seq + 1;
        } else {
            throw new IllegalArgumentException("producer " + pr.p + " skipped from " + pr.next + " to " + seq);
        }
        if (!pr.sent.get(i)) {
            pr.sent.set(i);
            pr.sentCycle.set(i, cycleCode(cycle));
        }
        if (!pr.acked.get(i)) pr.unconfirmed.add(seq);
    }

    private void acked(int cycle, Producer pr, long seq) {
        int i = index(seq);
        if (!pr.sent.get(i)) throw new IllegalArgumentException("acknowledged before it was announced");
        acks++;
        if (!pr.acked.get(i)) {
            pr.acked.set(i);
            pr.ackCycle.set(i, cycleCode(cycle));
        }
        pr.unconfirmed.remove(seq);
    }

    /** One delivery, by a child's consumer or by the final drain. */
    void delivered(int cycle, int queue, String id, String body, long queueSeq, int attempt, long timestamp, String key) {
        deliveries++;
        String where = "queue " + QUEUES[queue] + " seq " + queueSeq + " attempt " + attempt;
        int colon = id.indexOf(':');
        int p;
        long seq;
        try {
            p = Integer.parseInt(id.substring(0, colon));
            seq = Long.parseLong(id.substring(colon + 1));
        } catch (RuntimeException e) {
            violation("phantom: delivered, never sent", cycle, "id '" + id + "' body '" + body + "' is no producer's (" + where + ")");
            return;
        }
        if (p < 0 || p >= producers.length || seq < 0 || seq > Integer.MAX_VALUE) {
            violation("phantom: delivered, never sent", cycle, "id '" + id + "' is no producer's (" + where + ")");
            return;
        }
        if (queueSeq < 1 || queueSeq > Integer.MAX_VALUE) {
            violation("phantom: impossible queue sequence number", cycle, id + " arrived with queue seq " + queueSeq + " (" + where + ")");
            return;
        }
        Producer pr = producers[p];
        int i = (int) seq;
        if (!pr.sent.get(i)) {
            violation("phantom: delivered, never sent", cycle, id + " was never sent (producer " + p + " had sent up to " + (pr.next - 1) + "; " + where + ")");
            return;
        }
        if (!id.equals(body)) violation("phantom: body is not what was sent", cycle, id + " arrived with body '" + body + "' (" + where + ")");
        if (PRODUCER_QUEUE[p] != queue) violation("phantom: message on the wrong queue", cycle, id + " was sent to " + QUEUES[PRODUCER_QUEUE[p]] + " (" + where + ")");
        String expectedKey = KEYED[PRODUCER_QUEUE[p]] ? CrashWorkload.key(p) : null;
        if (!java.util.Objects.equals(expectedKey, key)) violation("phantom: key is not what was sent", cycle, id + " arrived with key " + key + ", sent with " + expectedKey + " (" + where + ")");

        if (!pr.delivered.get(i)) {
            firstDeliveries++;
            if (seq <= pr.lastFirst) {
                violation("order: a producer's messages first delivered out of send order", cycle,
                        id + " first delivered in " + cycleName(cycle) + " after " + CrashWorkload.id(p, pr.lastFirst) + " (first delivered in "
                                + cycleName(pr.lastFirstCycle) + "); " + id + " was sent in " + cycleName(cycleOf(pr.sentCycle.get(i)))
                                + (pr.acked.get(i) ? ", acknowledged in " + cycleName(cycleOf(pr.ackCycle.get(i))) : ", never acknowledged") + " (" + where + ")");
            } else {
                pr.lastFirst = seq;
                pr.lastFirstCycle = cycle;
            }
            pr.delivered.set(i);
            pr.firstDeliveryCycle.set(i, cycleCode(cycle));
            pr.queueSeq.set(i, (int) queueSeq);
            pr.timestamp.set(i, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, timestamp - baseMillis)));
            claimQueueSeq(cycle, queue, queueSeq, id);
            return;
        }
        long firstCopy = pr.queueSeq.get(i);
        if (queueSeq == firstCopy) {
            redeliveries++;
            if (attempt <= 1) redeliveredWithAttemptOne++;
            return;
        }
        Set<Long> copies = extraCopies.computeIfAbsent(id, k -> new HashSet<>());
        if (!copies.add(queueSeq)) { // a redelivery of a copy already judged
            redeliveries++;
            return;
        }
        claimQueueSeq(cycle, queue, queueSeq, id);
        long apart = Math.abs(timestamp - (baseMillis + pr.timestamp.get(i)));
        if (apart < dedupeWindowMillis - WINDOW_MARGIN_MILLIS) {
            violation("dedupe: one id stored as two messages inside the dedupe window", cycle,
                    id + " delivered as queue seq " + queueSeq + " in " + cycleName(cycle) + " and as seq " + firstCopy + " (first in "
                            + cycleName(cycleOf(pr.firstDeliveryCycle.get(i))) + "); their send timestamps are " + apart + " ms apart, window "
                            + dedupeWindowMillis + " ms; sent first in " + cycleName(cycleOf(pr.sentCycle.get(i))));
        } else {
            duplicatesPastWindow++;
        }
    }

    private void claimQueueSeq(int cycle, int queue, long queueSeq, String id) {
        BitSet used = usedQueueSeqs[queue];
        if (used.get((int) queueSeq)) {
            violation("a queue sequence number given to two messages", cycle,
                    "queue " + QUEUES[queue] + " seq " + queueSeq + " delivered for " + id + " and, earlier, for " + ownerOf(queue, queueSeq, id));
        }
        used.set((int) queueSeq);
    }

    private String ownerOf(int queue, long queueSeq, String except) {
        for (Producer pr : producers) {
            if (PRODUCER_QUEUE[pr.p] != queue) continue;
            for (int i = pr.delivered.nextSetBit(0); i >= 0; i = pr.delivered.nextSetBit(i + 1)) {
                String id = CrashWorkload.id(pr.p, i);
                if (pr.queueSeq.get(i) == queueSeq && !id.equals(except)) return id + " (in " + cycleName(cycleOf(pr.firstDeliveryCycle.get(i))) + ")";
            }
        }
        for (Map.Entry<String, Set<Long>> e : extraCopies.entrySet()) {
            if (e.getValue().contains(queueSeq) && !e.getKey().equals(except)) return e.getKey() + " (a second copy)";
        }
        return "another message";
    }

    /** A delivery after everything was drained and the backend closed cleanly. */
    void deliveredAfterCleanClose(int queue, String id, long queueSeq, int attempt) {
        violation("acknowledged message delivered again after a clean close", REOPEN,
                id + " (queue " + QUEUES[queue] + " seq " + queueSeq + " attempt " + attempt + ") came back after the final drain had "
                        + "received and acknowledged everything and closed its connection normally");
    }

    void deadLettered(int queue, String id, String body, Map<String, String> headers) {
        violation("dead-lettered (nothing should be: maxAttempts is a million)", DRAIN, QUEUES[queue] + ".dlq holds " + id + " body '" + body + "' headers " + headers);
    }

    void queueNotEmpty(int queue, String stats) {
        violation("queue not empty after the drain", DRAIN, QUEUES[queue] + ": " + stats);
    }

    void corruptionReported(int cycle, String what) {
        violation("recovery found corruption after a mere SIGKILL (a kill tears at most the tail of the last segment)", cycle, what);
    }

    void coverage(int cycle, String what) {
        violation("coverage: the torture did not reach what it must test", cycle, what);
    }

    void childFailure(int cycle, String what) {
        violation("the child failed", cycle, what);
    }

    /** The check that needs the whole history: every acknowledged send was delivered. */
    void finish() {
        for (Producer pr : producers) {
            BitSet lost = (BitSet) pr.acked.clone();
            lost.andNot(pr.delivered);
            for (int i = lost.nextSetBit(0); i >= 0; ) {
                int end = lost.nextClearBit(i); // report runs of consecutive ids as one case each
                String ids = end - i == 1 ? CrashWorkload.id(pr.p, i) : CrashWorkload.id(pr.p, i) + " .. " + CrashWorkload.id(pr.p, end - 1) + " (" + (end - i) + " ids)";
                violation("lost: an acknowledged send was never delivered", cycleOf(pr.ackCycle.get(i)), end - i,
                        ids + ": " + (end - i == 1 ? "" : "the first ") + "sent in " + cycleName(cycleOf(pr.sentCycle.get(i))) + ", acknowledged in "
                                + cycleName(cycleOf(pr.ackCycle.get(i))) + "; never delivered, neither in a later cycle nor in the final drain");
                i = lost.nextSetBit(end);
            }
        }
    }

    /** Sends neither acknowledged nor delivered: those cut off by the last kill (allowed). */
    String unconfirmedSummary() {
        StringBuilder b = new StringBuilder();
        for (Producer pr : producers) {
            BitSet missing = (BitSet) pr.sent.clone();
            missing.andNot(pr.delivered);
            int gaps = 0;
            for (int i = missing.nextSetBit(0); i >= 0; i = missing.nextSetBit(i + 1)) if (i < pr.lastFirst) gaps++;
            b.append(String.format("p%d: %d sent, %d never delivered (unacknowledged; cut off by the last kill)%s%n", pr.p,
                    pr.sent.cardinality(), missing.cardinality(), gaps == 0 ? "" : ", " + gaps + " of them BELOW a delivered seq"));
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- verdict

    boolean failed() {
        return !violations.isEmpty();
    }

    String statistics() {
        return String.format("sends %,d (re-sends after a restart %,d), acknowledged %,d, deliveries %,d (first %,d, redeliveries %,d, "
                        + "of which with attempt 1: %,d), copies stored past the dedupe window %,d, torn event lines %,d",
                sends, resends, acks, deliveries, firstDeliveries, redeliveries, redeliveredWithAttemptOne, duplicatesPastWindow, tornLines);
    }

    String violationReport() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Violations> e : violations.entrySet()) {
            Violations v = e.getValue();
            b.append("  ").append(e.getKey()).append(": ").append(v.count).append(v.count == 1 ? " case" : " cases")
                    .append(", earliest in ").append(cycleName(v.firstCycle)).append('\n');
            for (String ex : v.examples) b.append("    - ").append(ex).append('\n');
            if (v.reported > v.examples.size()) b.append("    - ... and ").append(v.reported - v.examples.size()).append(" more like these\n");
        }
        return b.toString();
    }

    private void violation(String kind, int cycle, String detail) {
        violation(kind, cycle, 1, detail);
    }

    private void violation(String kind, int cycle, long cases, String detail) {
        Violations v = violations.computeIfAbsent(kind, k -> new Violations(cycle));
        v.count += cases;
        v.firstCycle = Math.min(v.firstCycle, cycle);
        v.reported++;
        if (v.examples.size() < EXAMPLES) v.examples.add("[" + cycleName(cycle) + "] " + detail);
    }

    private static final class Violations {
        int firstCycle;
        long count;
        long reported;
        final List<String> examples = new java.util.ArrayList<>();

        Violations(int firstCycle) {
            this.firstCycle = firstCycle;
        }
    }

    static String cycleName(int cycle) {
        if (cycle == DRAIN) return "the final drain";
        if (cycle == REOPEN) return "the reopening after the drain";
        return "cycle " + cycle;
    }

    private static int index(long seq) {
        if (seq < 0 || seq > Integer.MAX_VALUE) throw new IllegalArgumentException("sequence out of range: " + seq);
        return (int) seq;
    }

    /** Cycles in two bytes: real cycles up to 65,533, then the drain and the reopening. */
    private static char cycleCode(int cycle) {
        if (cycle == DRAIN) return 65534;
        if (cycle == REOPEN) return 65535;
        return (char) Math.min(cycle, 65533);
    }

    private static int cycleOf(char code) {
        if (code == 65534) return DRAIN;
        if (code == 65535) return REOPEN;
        return code;
    }

    /** A growable int array in 64 Ki chunks (no copying of millions of entries as it grows). */
    private static final class Ints {
        private int[][] chunks = new int[16][];

        int get(int i) {
            int c = i >>> 16;
            return c < chunks.length && chunks[c] != null ? chunks[c][i & 0xFFFF] : 0;
        }

        void set(int i, int v) {
            int c = i >>> 16;
            if (c >= chunks.length) chunks = Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
            if (chunks[c] == null) chunks[c] = new int[1 << 16];
            chunks[c][i & 0xFFFF] = v;
        }
    }

    /** A growable char array in 64 Ki chunks. */
    private static final class Chars {
        private char[][] chunks = new char[16][];

        char get(int i) {
            int c = i >>> 16;
            return c < chunks.length && chunks[c] != null ? chunks[c][i & 0xFFFF] : 0;
        }

        void set(int i, char v) {
            int c = i >>> 16;
            if (c >= chunks.length) chunks = Arrays.copyOf(chunks, Math.max(c + 1, chunks.length * 2));
            if (chunks[c] == null) chunks[c] = new char[1 << 16];
            chunks[c][i & 0xFFFF] = v;
        }
    }
}
