package io.baton.cli;

import io.baton.Baton;
import io.baton.StartPosition;
import io.baton.SubscribeOptions;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton subscribe PATTERN}. */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
        header = "Prints what is published to matching subjects.",
        description = {"Prints each message on a line (with --subjects, after its subject and a tab).",
            "Runs until --count messages came, --timeout passed, or Ctrl-C; exits 1 if --count was not reached."})
final class SubscribeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "PATTERN", description = "A subject or pattern: * is one token, > the rest.")
    String pattern;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N", description = "Stop after N messages (default: never).")
    int count;

    @Option(names = "--timeout", defaultValue = "0", paramLabel = "SECONDS", description = "Stop after this long (default: never).")
    int timeoutSeconds;

    @Option(names = "--durable", paramLabel = "NAME", description = "A durable subscription: resumes where NAME stopped, at least once.")
    String durable;

    @Option(names = "--start", paramLabel = "new|earliest|SEQUENCE|TIME",
            description = "Where a new durable subscription starts: new (default), earliest, a sequence number, or an ISO-8601 time.")
    String start;

    @Option(names = "--subjects", description = "Print each message's subject before it.")
    boolean subjects;

    @Override
    public Integer call() throws InterruptedException {
        if (start != null && durable == null) throw new ParameterException(spec.commandLine(), "--start needs --durable");
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch done = new CountDownLatch(count > 0 ? count : 1);
        SubscribeOptions.Builder options = SubscribeOptions.builder();
        if (durable != null) options.durable(durable).start(startPosition());
        try (Baton baton = client.connect()) {
            baton.topic(pattern, String.class).subscribeMessages(m -> {
                synchronized (out) {
                    out.println(subjects ? m.subject() + "\t" + m.body() : m.body());
                    out.flush();
                }
                if (count > 0) done.countDown();
            }, options.build());
            boolean reached = timeoutSeconds > 0 ? done.await(timeoutSeconds, TimeUnit.SECONDS) : awaitForever(done);
            if (count > 0 && !reached) {
                spec.commandLine().getErr().println("baton: got " + (count - done.getCount()) + " of " + count + " within " + timeoutSeconds + " s");
                return 1;
            }
        }
        return 0;
    }

    private static boolean awaitForever(CountDownLatch done) throws InterruptedException {
        done.await();
        return true;
    }

    private StartPosition startPosition() {
        if (start == null || start.equals("new")) return StartPosition.NEW;
        if (start.equals("earliest")) return StartPosition.EARLIEST;
        if (start.chars().allMatch(Character::isDigit)) return StartPosition.sequence(Long.parseLong(start));
        try {
            return StartPosition.time(Instant.parse(start));
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), "--start must be new, earliest, a sequence number or an ISO-8601 time such as 2026-11-25T10:00:00Z, not '" + start + "'");
        }
    }
}
