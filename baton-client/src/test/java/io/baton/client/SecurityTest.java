package io.baton.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.baton.AuthenticationException;
import io.baton.Baton;
import io.baton.BatonException;
import io.baton.ConnectionLostException;
import io.baton.Message;
import io.baton.PermissionDeniedException;
import io.baton.Queue;
import io.baton.Topic;
import io.baton.server.Authenticator;
import io.baton.server.BatonServer;
import io.baton.server.Permissions;
import io.baton.server.Permissions.Action;
import io.baton.server.Secrets;
import io.baton.server.ServerOptions;
import io.baton.server.TlsOptions;
import io.baton.tck.Recorder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Login, permissions and TLS between a real server and the baton:// client. */
class SecurityTest {
    private static final String TOKEN = Secrets.newToken();
    private static final Permissions ALICE = new Permissions(Map.of(
            Action.SEND, List.of("orders.*"),
            Action.CONSUME, List.of("orders.eu"),
            Action.PUBLISH, List.of("prices.*"),
            Action.SUBSCRIBE, List.of("prices.>"),
            Action.SERVE, List.of("svc.alice"),
            Action.CALL, List.of("svc.*")));
    private static final Authenticator USERS = new Authenticator(
            List.of(new Authenticator.User("alice", Secrets.hashPassword("wonderland"), ALICE)),
            List.of(new Authenticator.Token("ci-bot", Secrets.hashToken(TOKEN), Permissions.ALL)));

    private BatonServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private String start(ServerOptions.Builder options) {
        server = BatonServer.start(options.port(0).build());
        return "baton://127.0.0.1:" + server.port();
    }

    private static Path tls(String file) {
        try {
            return Path.of(SecurityTest.class.getResource("/tls/" + file).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aServerWithUsers_refusesConnectionsWithoutOrWithWrongCredentials() {
        String url = start(ServerOptions.builder().authenticator(USERS));
        assertThatThrownBy(() -> Baton.connect(url).close()).isInstanceOf(AuthenticationException.class).hasMessageContaining("requires");
        assertThatThrownBy(() -> Baton.connect(url + "?token=" + Secrets.newToken()).close())
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("unknown token");
        assertThatThrownBy(() -> Baton.connect(url + "?user=alice&password=guess").close())
                .isInstanceOf(AuthenticationException.class).hasMessageNotContaining("guess");
        assertThatThrownBy(() -> Baton.connect(url + "?user=mallory&password=wonderland").close())
                .isInstanceOf(AuthenticationException.class);
        assertThat(server.metrics().authenticationFailures()).isEqualTo(4);
        assertThat(server.connectionCount()).isLessThanOrEqualTo(4); // closed after each failure; the count drains
    }

    @Test
    void aTokenOrAPassword_logsIn() {
        String url = start(ServerOptions.builder().authenticator(USERS));
        try (Baton bot = Baton.connect(url + "?token=" + TOKEN); Baton alice = Baton.connect(url + "?user=alice&password=wonderland")) {
            bot.queue("orders.eu", String.class).send("from the bot");
            Message<String> m = alice.queue("orders.eu", String.class).receive(Duration.ofSeconds(5)).orElseThrow();
            assertThat(m.body()).isEqualTo("from the bot");
            m.ack();
        }
    }

    @Test
    void permissions_refuseWhatAUserMayNotDo_andTheConnectionGoesOn() {
        String url = start(ServerOptions.builder().authenticator(USERS));
        try (Baton alice = Baton.connect(url + "?user=alice&password=wonderland")) {
            assertThatThrownBy(() -> alice.topic(">", String.class).subscribe(s -> { }))
                    .as("a pattern wider than the permission").isInstanceOf(PermissionDeniedException.class);
            assertThatThrownBy(() -> alice.queue("payroll", String.class).send("raise"))
                    .isInstanceOf(PermissionDeniedException.class);
            Queue<String> us = alice.queue("orders.us", String.class); // may send, not consume
            us.send("ok");
            assertThatThrownBy(() -> us.receive(Duration.ofMillis(100))).isInstanceOf(PermissionDeniedException.class);
            assertThatThrownBy(() -> alice.serve("svc.bob", String.class, s -> s)).isInstanceOf(PermissionDeniedException.class);

            // what is allowed still works on the same connection
            Recorder<String> prices = new Recorder<>();
            alice.topic("prices.>", String.class).subscribe(prices::add);
            alice.topic("prices.sap", String.class).publish("101");
            assertThat(prices.awaitSize(1)).containsExactly("101");
            alice.serve("svc.alice", String.class, s -> "hi " + s);
            assertThat(alice.call("svc.alice", "me", String.class)).isEqualTo("hi me");

            // publishing does not wait for the server: its refusal is thrown by the next publish
            Topic<String> secrets = alice.topic("secrets.x", String.class);
            secrets.publish("leak");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> secrets.publish("again"))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("alice").hasMessageContaining("publish 'secrets.x'"));
        }
        assertThat(server.metrics().permissionDenials()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void tls_connectsWhenTheClientTrustsTheServersCa() {
        String url = start(ServerOptions.builder().tls(new TlsOptions(tls("server.pem"), tls("server-key.pem"), null)));
        try (Baton baton = Baton.connect(url + "?trust=" + tls("ca.pem"))) {
            baton.queue("over.tls", String.class).send("secret");
            assertThat(baton.queue("over.tls", String.class).receive(Duration.ofSeconds(5)).orElseThrow().body()).isEqualTo("secret");
        }
    }

    @Test
    void tls_refusesAServerTheClientDoesNotTrust_andPlainClientsGetNowhere() {
        String url = start(ServerOptions.builder().tls(new TlsOptions(tls("server.pem"), tls("server-key.pem"), null)));
        assertThatThrownBy(() -> Baton.connect(url + "?trust=" + tls("other-ca.pem") + "&connectTimeoutMillis=2000").close())
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("TLS");
        assertThatThrownBy(() -> Baton.connect(url + "?connectTimeoutMillis=1000").close())
                .as("a client without TLS").isInstanceOf(BatonException.class);
    }

    @Test
    void mutualTls_letsInOnlyClientsWithACertificateFromTheConfiguredCa() {
        String url = start(ServerOptions.builder().tls(new TlsOptions(tls("server.pem"), tls("server-key.pem"), tls("ca.pem"))));
        String trusted = url + "?trust=" + tls("ca.pem") + "&connectTimeoutMillis=2000";
        try (Baton baton = Baton.connect(trusted + "&cert=" + tls("client.pem") + "&key=" + tls("client-key.pem"))) {
            baton.topic("mtls.ok", String.class).publish("fine");
        }
        assertThatThrownBy(() -> Baton.connect(trusted).close()).as("no client certificate")
                .isInstanceOfAny(AuthenticationException.class, ConnectionLostException.class);
        assertThatThrownBy(() -> Baton.connect(trusted + "&cert=" + tls("stranger.pem") + "&key=" + tls("stranger-key.pem")).close())
                .as("a certificate from another CA").isInstanceOfAny(AuthenticationException.class, ConnectionLostException.class);
    }

    @Test
    void secretsInTheClear_areRefused() {
        assertThatThrownBy(() -> new Authenticator.User("bob", "hunter2", Permissions.ALL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baton passwd").hasMessageNotContaining("hunter2");
        assertThat(Secrets.matches(Secrets.hashPassword("pw"), "pw")).isTrue();
        assertThat(Secrets.matches(Secrets.hashPassword("pw"), "pW")).isFalse();
    }
}
