package io.baton.cli;

import io.baton.Baton;
import io.baton.bench.tool.ArrayBlockingQueuePeer;
import io.baton.bench.tool.BatonTarget;
import io.baton.bench.tool.Bench;
import io.baton.bench.tool.BenchSpec;
import io.baton.bench.tool.BenchSystem;
import io.baton.bench.tool.Durations;
import io.baton.bench.tool.JnatsPeer;
import io.baton.bench.tool.MarkdownReport;
import io.baton.bench.tool.NanoClock;
import io.baton.bench.tool.Progress;
import io.baton.bench.tool.RabbitMqPeer;
import io.baton.bench.tool.ResultFiles;
import io.baton.bench.tool.Workload;
import io.baton.spi.Capability;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton bench queue|pubsub|rpc}: Baton on a URL, side by side with its peers, in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Measures a queue, pub/sub or RPC workload on Baton, side by side with its peers.",
        description = {
            "Runs WORKLOAD on Baton at --url and, with --compare, on the peers through their own clients, in alternating rounds,"
                + " and prints per system: throughput (median of the rounds, spread), latency p50/p90/p99/p99.9/max, and Baton/peer ratios.",
            "Writes results.md, results.csv and chart.png into --out. --url mem: measures Baton in this process, with nothing between.",
            "queue: send to one of the consumers, which acks; msgs/s consumed, latency send -> consume.",
            "pubsub: publish to every subscriber; msgs/s received (all subscribers), latency publish -> receive.",
            "rpc: call a served echo, one call in flight per caller; calls/s, latency of the round trip.",
            "Exit codes: 0 done (peers that could not run are skipped with the reason), 1 Baton could not run, 2 a wrong option."},
        footer = {"", "Examples:",
            "  baton bench queue --url mem: --compare jdk",
            "  baton bench queue --url nats://127.0.0.1:4222 --compare nats",
            "  baton bench rpc --url baton://127.0.0.1:7400 --compare nats,rabbitmq --rate 2000 --duration 30s"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "queue, pubsub or rpc.")
    String workload;

    @Option(names = "--size", defaultValue = "128", paramLabel = "BYTES",
            description = "Bytes per message, request and reply (default: ${DEFAULT-VALUE}; from 16, the timestamp and run id each carries).")
    int size;

    @Option(names = "--count", paramLabel = "N", description = "Measure N messages (calls) in all, instead of a --duration.")
    Long count;

    @Option(names = "--duration", paramLabel = "TIME", description = "How long each run measures: 10s, 500ms, 2m (default: 10s unless --count).")
    String duration;

    @Option(names = "--warmup", defaultValue = "2s", paramLabel = "TIME", description = "How long each run sends before measuring (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--producers", defaultValue = "1", paramLabel = "N",
            description = "Producers: publishers for pubsub, callers for rpc; each its own thread and connection (default: ${DEFAULT-VALUE}).")
    int producers;

    @Option(names = "--consumers", defaultValue = "1", paramLabel = "N",
            description = "Consumers: subscribers for pubsub (each gets every message), servers for rpc (default: ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "MSGS_PER_S",
            description = "Messages (calls) per second, all producers together; latency is then measured from each message's intended"
                + " send time, which corrects for coordinated omission (default: 0, as fast as possible).")
    double rate;

    @Option(names = "--durable", negatable = true,
            description = "queue: durable storage and persistent messages on every system (JetStream file stream, RabbitMQ durable queue with"
                + " confirms); pubsub: durable subscriptions. Default: a queue is as durable as the --url backend (mem: not; file:,"
                + " baton:// on file storage, nats:// yes); pubsub is ephemeral.")
    Boolean durable;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N",
            description = "Rounds; each runs every system once, in turn, so drift hits all alike (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--window", defaultValue = "1000", paramLabel = "N",
            description = "At most N messages sent and not yet consumed (per subscriber), all producers together (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--compare", split = ",", paramLabel = "PEER",
            description = "Peers to run the same workload on, any of: jdk (ArrayBlockingQueue in this JVM), nats (jnats), rabbitmq (amqp-client).")
    List<String> compare = new ArrayList<>();

    @Option(names = "--nats", defaultValue = "nats://127.0.0.1:4222", paramLabel = "URL", description = "The NATS server of the nats peer (default: ${DEFAULT-VALUE}).")
    String nats;

    @Option(names = "--amqp", defaultValue = "amqp://guest:guest@127.0.0.1:5672", paramLabel = "URI",
            description = "The RabbitMQ broker of the rabbitmq peer (default: ${DEFAULT-VALUE}).")
    String amqp;

    @Option(names = "--out", paramLabel = "DIR", description = "The results folder (default: bench-results/WORKLOAD-yyyyMMdd-HHmmss).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Workload w = parse(() -> Workload.parse(workload));
        Set<String> peers = peers();
        Duration measured = duration != null ? parse(() -> Durations.parse(duration)) : count != null ? null : Duration.ofSeconds(10);
        Duration warm = parse(() -> Durations.parse(warmup));
        List<String> notes = new ArrayList<>();
        boolean durableRun = durability(w, notes);
        BenchSpec bench = parse(() -> new BenchSpec(w, size, count == null ? 0 : count, measured, warm, producers, consumers, rate,
                durableRun, runs, window));

        List<BenchSystem> systems = new ArrayList<>();
        systems.add(new BatonTarget(client.url));
        for (String p : peers) {
            systems.add(switch (p) {
                case "jdk" -> new ArrayBlockingQueuePeer();
                case "nats" -> new JnatsPeer(nats);
                default -> new RabbitMqPeer(amqp);
            });
        }
        if (bench.rate() == 0) {
            notes.add("As fast as possible, the window stays full, so latency is mostly time spent queued behind it (about window / throughput,"
                    + " Little's law); for latency at a load, give --rate.");
        } else {
            notes.add("Latency is measured from each message's intended send time at the fixed rate, so time spent waiting to be sent"
                    + " behind a slow system counts (coordinated omission corrected).");
        }

        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf("baton bench %s on %s%s: %s%n", w.id(), client.url, peers.isEmpty() ? "" : " against " + String.join(", ", peers), bench.describe());
        stdout.flush();
        String command = "baton bench " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        Bench.Outcome outcome = Bench.run(bench, systems, notes, command, new Progress(stdout, terminal(), w), NanoClock.SYSTEM);

        stdout.println();
        stdout.print(MarkdownReport.table(outcome));
        outcome.skipped().forEach((name, reason) -> stdout.printf("skipped %s: %s%n", name, reason));
        for (String note : notes) stdout.println("note: " + note);
        Path folder = out != null ? out : Path.of("bench-results", w.id() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        for (Path file : ResultFiles.write(outcome, folder)) stdout.println("wrote " + file);
        stdout.flush();
        if (outcome.baton() == null || !outcome.baton().hasResults()) {
            spec.commandLine().getErr().println("baton: no run of Baton completed; see the failures above and in " + folder.resolve("results.md"));
            return 1;
        }
        return 0;
    }

    /** The peers named by --compare, each once, in the order given. */
    private Set<String> peers() {
        Set<String> peers = new LinkedHashSet<>();
        for (String p : compare) {
            String name = p.trim();
            if (!List.of("jdk", "nats", "rabbitmq").contains(name)) {
                throw new ParameterException(spec.commandLine(), "--compare takes jdk, nats and rabbitmq, not '" + p + "'");
            }
            peers.add(name);
        }
        return peers;
    }

    /**
     * Whether this run is durable. A queue follows the backend unless told: every Baton queue on a
     * durable backend is durable, so its peers must be too to compare like with like.
     */
    private boolean durability(Workload w, List<String> notes) {
        if (w != Workload.QUEUE) return durable != null && durable;
        boolean backendDurable;
        try (Baton baton = client.connect()) {
            backendDurable = baton.capabilities().contains(Capability.DURABLE);
        }
        if (durable == null) {
            notes.add("Durability follows the backend: " + client.url + (backendDurable ? " stores queues durably, so the peers run durable too"
                    : " keeps queues in memory, so the peers run without durability") + " (--durable or --no-durable to choose).");
            return backendDurable;
        }
        if (durable && !backendDurable) {
            throw new ParameterException(spec.commandLine(), "--durable: " + client.url + " keeps queues in memory only; use a durable backend"
                    + " (file:DIR, baton:// on file storage, nats://) or leave --durable out");
        }
        if (!durable && backendDurable) {
            notes.add("--no-durable: the peers run without durability, but " + client.url + " stores every queue durably, so Baton does more work.");
        }
        return durable;
    }

    private <T> T parse(java.util.function.Supplier<T> parsing) {
        try {
            return parsing.get();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** A terminal gets a progress bar redrawn in place; anything else, plain lines. */
    private boolean terminal() {
        if (spec.commandLine().getOut() == null) return false;
        Console console = System.console();
        if (console == null) return false;
        try { // Java 22+: a Console may stand for a redirected stream; isTerminal() tells
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // Java 21: a console is a terminal
        }
    }
}
