package io.baton.cli;

import io.baton.Baton;
import io.baton.QueueStats;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton stats QUEUE...}. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        header = "Prints the counters of queues.",
        description = "One line per queue: waiting, in flight, and since the server started: sent, acked, redelivered, dropped, rejected, duplicates.")
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(arity = "1..*", paramLabel = "QUEUE", description = "The queues.")
    List<String> queues;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-32s %10s %10s %12s %12s %12s %10s %10s %10s%n",
                "queue", "waiting", "inFlight", "sent", "acked", "redelivered", "dropped", "rejected", "duplicates");
        try (Baton baton = client.connect()) {
            for (String q : queues) {
                QueueStats s = baton.queue(q, byte[].class).stats();
                out.printf("%-32s %10d %10d %12d %12d %12d %10d %10d %10d%n", q, s.waiting(), s.inFlight(), s.sent(), s.acked(),
                        s.redelivered(), s.dropped(), s.rejected(), s.duplicates());
            }
        }
        return 0;
    }
}
