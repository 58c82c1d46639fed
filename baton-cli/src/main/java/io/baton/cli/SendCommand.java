package io.baton.cli;

import io.baton.Baton;
import io.baton.Queue;
import io.baton.SendOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code baton send QUEUE [MESSAGE]}. */
@Command(name = "send", mixinStandardHelpOptions = true,
        header = "Sends messages to a queue.",
        description = "Sends MESSAGE, or each line of standard input, to QUEUE; returns once the server has stored them.")
final class SendCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Mixin
    HeaderOptions headers;

    @Parameters(index = "0", paramLabel = "QUEUE", description = "The queue.")
    String queue;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MESSAGE", description = "The message; without it, each line of standard input is one.")
    String message;

    @Option(names = "--key", paramLabel = "KEY", description = "Messages of one key are delivered one at a time, in order.")
    String key;

    @Option(names = "--id", paramLabel = "ID", description = "A dedupe id: a second send with it within the queue's window is dropped.")
    String id;

    @Option(names = "--delay", paramLabel = "MILLIS", description = "Deliver no sooner than this many milliseconds from now.")
    long delayMillis;

    @Override
    public Integer call() throws Exception {
        List<String> messages = ClientOptions.messages(message);
        SendOptions.Builder options = SendOptions.builder().key(key).id(id).headers(headers.headers());
        if (delayMillis > 0) options.delay(Duration.ofMillis(delayMillis));
        SendOptions built = options.build();
        try (Baton baton = client.connect()) {
            Queue<String> q = baton.queue(queue, String.class);
            for (String m : messages) q.send(m, built);
        }
        spec.commandLine().getErr().println("sent " + messages.size() + " to " + queue);
        return 0;
    }
}
