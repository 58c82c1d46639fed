package io.baton.cli;

import io.baton.server.Secrets;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton passwd}: the stored form of a password or a new token, for the server's config file. */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        header = "Hashes a password, or makes a token, for the server's config file.",
        description = {"Reads the password from the terminal (not echoed) or the first line of standard input,",
            "and prints what goes into 'password:'. With --token, prints a new random token (give it to the",
            "client) and what goes into 'token:'."})
final class PasswdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--token", description = "Make a new token instead.")
    boolean token;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (token) {
            String t = Secrets.newToken();
            out.println("token (for the client): " + t);
            out.println("token: \"" + Secrets.hashToken(t) + "\"");
            return 0;
        }
        String password;
        Console console = System.console();
        if (console != null) {
            char[] typed = console.readPassword("password: ");
            password = typed == null ? null : new String(typed);
        } else {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (password == null || password.isEmpty()) {
            spec.commandLine().getErr().println("baton: no password given");
            return 1;
        }
        out.println("password: \"" + Secrets.hashPassword(password) + "\"");
        return 0;
    }
}
