package io.baton.cli;

import io.baton.Baton;
import io.baton.CallOptions;
import io.baton.RemoteException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton call SUBJECT [REQUEST]}. */
@Command(name = "call", mixinStandardHelpOptions = true,
        header = "Calls a function served on a subject and prints its reply.",
        description = "Sends REQUEST (or standard input, whole) and prints the reply. Exits 1 on the function's error, no server, or the deadline.")
final class CallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Mixin
    HeaderOptions headers;

    @Parameters(index = "0", paramLabel = "SUBJECT", description = "The function's subject.")
    String subject;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REQUEST", description = "The request; without it, all of standard input.")
    String request;

    @Option(names = "--timeout", defaultValue = "5", paramLabel = "SECONDS", description = "The call's deadline (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        String body = request != null ? request : String.join("\n", ClientOptions.messages(null));
        try (Baton baton = client.connect()) {
            String reply = baton.call(subject, body, String.class,
                    new CallOptions(Duration.ofSeconds(timeoutSeconds), headers.headers()));
            spec.commandLine().getOut().println(reply);
            return 0;
        } catch (RemoteException e) {
            spec.commandLine().getErr().println("baton: " + subject + " failed: " + e.remoteType() + ": " + e.remoteMessage());
            return 1;
        }
    }
}
