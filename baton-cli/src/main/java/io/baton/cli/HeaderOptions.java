package io.baton.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --header NAME=VALUE}, for the commands that send a message: send, publish, call. */
final class HeaderOptions {

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "A header of the message (repeatable).")
    List<String> headers = new ArrayList<>();

    Map<String, String> headers() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String h : headers) {
            int eq = h.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--header must be NAME=VALUE, not '" + h + "'");
            map.put(h.substring(0, eq), h.substring(eq + 1));
        }
        return map;
    }
}
