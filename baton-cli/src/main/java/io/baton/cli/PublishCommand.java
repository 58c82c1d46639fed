package io.baton.cli;

import io.baton.Baton;
import io.baton.PublishOptions;
import io.baton.Topic;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton publish SUBJECT [MESSAGE]}. */
@Command(name = "publish", mixinStandardHelpOptions = true,
        header = "Publishes messages to a subject.",
        description = "Publishes MESSAGE, or each line of standard input, to SUBJECT: every subscriber gets a copy.")
final class PublishCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Mixin
    HeaderOptions headers;

    @Parameters(index = "0", paramLabel = "SUBJECT", description = "The subject, for example prices.eu.sap.")
    String subject;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MESSAGE", description = "The message; without it, each line of standard input is one.")
    String message;

    @Override
    public Integer call() throws Exception {
        List<String> messages = ClientOptions.messages(message);
        PublishOptions options = PublishOptions.headers(headers.headers());
        try (Baton baton = client.connect()) {
            Topic<String> topic = baton.topic(subject, String.class);
            for (String m : messages) topic.publish(m, options);
        }
        spec.commandLine().getErr().println("published " + messages.size() + " to " + subject);
        return 0;
    }
}
