package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.baton.Baton;
import io.baton.server.BatonServer;
import io.baton.server.ServerOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client commands against a real server. */
class ClientCommandsTest {
    private static BatonServer server;
    private static String url;

    @BeforeAll
    static void start() {
        server = BatonServer.start(ServerOptions.builder().port(0).build());
        url = "baton://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void send_thenReceive_printsTheMessagesInOrder_andAcksThem() {
        assertThat(run("send", "--url", url, "cli.orders", "first").exit()).isZero();
        assertThat(run("send", "--url", url, "--key", "k", "cli.orders", "second").exit()).isZero();

        CliRun got = run("receive", "--url", url, "--count", "2", "cli.orders");
        assertThat(got.exit()).as(got.err()).isZero();
        assertThat(got.out()).isEqualTo("first" + System.lineSeparator() + "second" + System.lineSeparator());

        CliRun stats = run("stats", "--url", url, "cli.orders");
        assertThat(stats.out()).containsPattern("cli\\.orders\\s+0\\s+0\\s+2\\s+2");
    }

    @Test
    void receive_fromAnEmptyQueue_exitsOneWithTheReason() {
        CliRun r = run("receive", "--url", url, "--timeout", "1", "cli.empty");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("got 0 of 1 from cli.empty within 1 s");
    }

    @Test
    void subscribe_printsWhatIsPublished_untilItsCount() {
        CompletableFuture<CliRun> listening = CompletableFuture.supplyAsync(
                () -> run("subscribe", "--url", url, "--count", "2", "--timeout", "20", "--subjects", "cli.prices.*"));
        // publish until the subscriber is there and has both (ephemeral: what comes before it subscribes is not its)
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            run("publish", "--url", url, "cli.prices.sap", "101");
            return listening.isDone();
        });
        CliRun r = listening.join();
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("cli.prices.sap\t101");
    }

    @Test
    void call_printsTheReply_orExitsOneOnTheFunctionsError() {
        try (Baton service = Baton.connect(url)) {
            service.serve("cli.echo", String.class, s -> {
                if (s.isEmpty()) throw new IllegalArgumentException("empty request");
                String tenant = io.baton.Context.current().headers().get("tenant");
                return "echo " + s + (tenant == null ? "" : " for " + tenant);
            });
            CliRun ok = run("call", "--url", url, "cli.echo", "hi");
            assertThat(ok.exit()).as(ok.err()).isZero();
            assertThat(ok.out().trim()).isEqualTo("echo hi");
            CliRun withHeader = run("call", "--url", url, "--header", "tenant=acme", "cli.echo", "hi");
            assertThat(withHeader.out().trim()).as(withHeader.err()).isEqualTo("echo hi for acme");

            CliRun failed = run("call", "--url", url, "cli.echo", "");
            assertThat(failed.exit()).isEqualTo(1);
            assertThat(failed.err()).contains("IllegalArgumentException: empty request");
        }
        CliRun nobody = run("call", "--url", url, "cli.nobody", "hi");
        assertThat(nobody.exit()).isEqualTo(1);
        assertThat(nobody.err()).contains("no server for 'cli.nobody'");
    }

    @Test
    void noServer_isOneLineAndExitOne() {
        CliRun r = run("send", "--url", "baton://127.0.0.1:1?connectTimeoutMillis=1000", "q", "x");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("baton: cannot connect to a Baton server at 127.0.0.1:1").doesNotContain("\tat ");
    }

    @Test
    void badUsage_exitsTwo() {
        assertThat(run("send").exit()).isEqualTo(2);
        assertThat(run("subscribe", "--url", url, "--start", "earliest", "x").exit()).isEqualTo(2);
    }

    @Test
    void passwd_token_printsATokenAndItsHash() {
        CliRun r = run("passwd", "--token");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).containsPattern("token \\(for the client\\): \\S{43}").containsPattern("token: \"sha256:[0-9a-f]{64}\"");
    }
}
