package io.baton.cli;

import io.baton.BatonException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code baton} command. Exit codes: 0 done, 1 the command ran and something failed,
 * 2 the command line was wrong.
 */
@Command(
        name = "baton",
        mixinStandardHelpOptions = true,
        versionProvider = BatonCli.Version.class,
        description = "Queues, topics and RPC between functions, behind one small Java API.",
        subcommands = {DemoCommand.class, ServeCommand.class, SendCommand.class, ReceiveCommand.class, PublishCommand.class,
            SubscribeCommand.class, CallCommand.class, StatsCommand.class, BenchCommand.class, PasswdCommand.class})
public final class BatonCli implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, ready to execute; tests run it with their own output writers. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BatonCli());
        // Baton's own failures (no server, a refused login, a bad name...) are one clear line and exit 1, not a stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof BatonException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("baton: " + e.getMessage());
                commandLine.getErr().flush();
                return 1;
            }
            throw e;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command, for example: baton demo");
    }

    /** Baton's version from the jar's manifest, and the Java that runs it. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = BatonCli.class.getPackage().getImplementationVersion();
            return new String[] {
                "baton " + (version == null ? "(development build)" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}
