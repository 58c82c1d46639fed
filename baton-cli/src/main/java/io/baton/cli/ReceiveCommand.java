package io.baton.cli;

import io.baton.Baton;
import io.baton.Message;
import io.baton.Queue;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton receive QUEUE}. */
@Command(name = "receive", mixinStandardHelpOptions = true,
        header = "Takes messages from a queue.",
        description = {"Prints each message on a line and acknowledges it.",
            "Exits 1 if fewer than --count came within --timeout."})
final class ReceiveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Option(names = "--count", defaultValue = "1", paramLabel = "N", description = "How many to take (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS", description = "Longest wait, in all (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--no-ack", description = "Leave them unacknowledged: they come again when their lease ends.")
    boolean noAck;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        int got = 0;
        try (Baton baton = client.connect()) {
            Queue<String> q = baton.queue(queue, String.class);
            while (got < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                Optional<Message<String>> m = q.receive(Duration.ofNanos(left));
                if (m.isEmpty()) break;
                out.println(m.get().body());
                out.flush();
                if (!noAck) m.get().ack();
                got++;
            }
        }
        if (got < count) {
            spec.commandLine().getErr().println("baton: got " + got + " of " + count + " from " + queue + " within " + timeoutSeconds + " s");
            return 1;
        }
        return 0;
    }
}
