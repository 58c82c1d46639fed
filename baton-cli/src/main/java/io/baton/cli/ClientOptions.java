package io.baton.cli;

import io.baton.Baton;
import io.baton.ConnectOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What every client command shares: where to connect, and how messages come in from the command line. */
final class ClientOptions {

    @Option(names = "--url", defaultValue = "${BATON_URL:-baton://127.0.0.1:7400}", paramLabel = "URL",
            description = "Where to connect (default: $BATON_URL, else ${DEFAULT-VALUE}); any Baton URL works: baton://, file:, mem:.")
    String url;

    Baton connect() {
        return Baton.connect(url, ConnectOptions.builder().build());
    }

    /** The messages to send: the argument if given, else each line of standard input. */
    static List<String> messages(String argument) throws IOException {
        if (argument != null) return List.of(argument);
        List<String> lines = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) lines.add(line);
        return lines;
    }
}
