package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BatonCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = BatonCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void demo_runsTheProcessorAndTheGeneratorAsTwoProcessesThroughItsOwnServer_andCleansUp() {
        int exit = run("demo", "--count", "6");

        assertThat(exit).as("stderr: %s", err).isZero();
        String trace = out.toString();
        assertThat(trace).containsPattern("\\[processor +\\d+\\] processData  <- demo.readings  #6 ")
                .containsPattern("\\[generator +\\d+\\] generateData -> demo.readings  #1 ")
                .contains("ok in ").contains("two processes, one server, its data removed");
        var pids = java.util.regex.Pattern.compile("\\[(processor|generator) +(\\d+)\\]").matcher(trace).results()
                .map(m -> m.group(2)).distinct().toList();
        assertThat(pids).as("two processes, neither this one").hasSize(2).doesNotContain(Long.toString(ProcessHandle.current().pid()));
        java.util.regex.Matcher storage = java.util.regex.Pattern.compile("storage (\\S+)\\)").matcher(trace);
        assertThat(storage.find()).isTrue();
        assertThat(java.nio.file.Path.of(storage.group(1))).as("the server's data is removed").doesNotExist();
        assertThat(trace)
                .contains("generateData -> demo.readings  #1 sensor-a")
                .contains("processData  <- demo.readings  #6 sensor-c")
                .contains("dashboard    <- demo.events.processed  6 readings processed, 3 sensors")
                .contains("audit        <- demo.events.*  6 readings processed, 3 sensors")
                .contains("stats        <- demo.stats  sensor-a, 2 values")
                .contains("report       <- demo.stats  RemoteException java.lang.IllegalArgumentException: no readings for sensor-z")
                .contains("processed 6 in send order, acked 6")
                .contains("2 of 2 subscribers got the event")
                .contains("1 result, 1 remote error")
                .contains("ok in ");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void demo_withManyReadings_elidesTheMiddleOfTheTrace() {
        int exit = run("demo", "--count", "100");

        assertThat(exit).as("stderr: %s", err).isZero();
        assertThat(out.toString())
                .contains("generateData -> demo.readings  ... 87 more")
                .contains("processData  <- demo.readings  #100 ")
                .doesNotContain("demo.readings  #50 ")
                .contains("processed 100 in send order, acked 100");
    }

    @Test
    void demo_withUnknownScheme_failsWithTheReason() {
        int exit = run("demo", "--url", "nosuch:");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("demo FAILED").contains("UnknownBackendException");
        assertThat(out.toString()).doesNotContain("processed 0");
    }

    @Test
    void demo_withCountZero_isAUsageError() {
        assertThat(run("demo", "--count", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--count must be at least 1");
    }

    @Test
    void noCommand_isAUsageErrorThatShowsTheCommands() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing a command").contains("demo");
    }

    @Test
    void version_namesBatonAndJava() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).contains("baton ").contains("Java ");
    }
}
