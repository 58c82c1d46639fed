package io.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.BatonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code baton serve --config FILE}. */
class ServerConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("baton.yaml"), yaml);
    }

    @Test
    void aFullConfig_setsLimitsUsersTokensAndPermissions() throws IOException {
        String password = Secrets.hashPassword("wonderland");
        Path file = write("""
                # a comment
                server:
                  port: 7500
                  httpPort: 7501
                  data: ./data
                  maxPayloadBytes: 2048
                  loginTimeoutMillis: 1500
                  ioThreads: 3
                users:
                  - name: alice
                    password: "%s"
                    permissions:
                      publish: ["prices.*"]
                      consume: ["orders.>"]
                tokens:
                  - name: ci-bot
                    token: "%s"
                    permissions: { call: [">"] }
                """.formatted(password, Secrets.hashToken("t0ken")));
        ServerConfig config = ServerConfig.read(file);
        ServerOptions options = config.applyTo(ServerOptions.builder(), dir).build();

        assertThat(options.port()).isEqualTo(7500);
        assertThat(config.httpPort()).isEqualTo(7501);
        assertThat(options.storageUrl()).isEqualTo("file:" + dir.resolve("./data"));
        assertThat(options.maxPayloadBytes()).isEqualTo(2048);
        assertThat(options.ioThreads()).isEqualTo(3);
        assertThat(options.loginTimeout().toMillis()).isEqualTo(1500);
        Authenticator auth = options.authenticator();
        assertThat(auth.required()).isTrue();
        Authenticator.Identity alice = auth.authenticate(2, null, "alice", "wonderland");
        assertThat(alice.permissions().allows(Permissions.Action.PUBLISH, "prices.sap")).isTrue();
        assertThat(alice.permissions().allows(Permissions.Action.PUBLISH, "orders.x")).isFalse();
        assertThat(alice.permissions().allows(Permissions.Action.CONSUME, "orders.eu.big")).isTrue();
        assertThat(auth.authenticate(1, "t0ken", null, null).name()).isEqualTo("ci-bot");
    }

    @Test
    void aTypo_aSecretInTheClear_andAnUnknownVerb_areClearErrors() throws IOException {
        assertThatThrownBy(() -> ServerConfig.read(write("server:\n  prot: 7400\n")))
                .isInstanceOf(BatonException.class).hasMessageContaining("prot");
        assertThatThrownBy(() -> ServerConfig.read(write("users:\n  - name: bob\n    password: hunter2\n")))
                .isInstanceOf(BatonException.class).hasMessageContaining("not a hashed secret").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ServerConfig.read(write("tokens:\n  - name: x\n    token: \"" + Secrets.hashToken("t")
                + "\"\n    permissions: { delete: [\">\"] }\n")))
                .isInstanceOf(BatonException.class).hasMessageContaining("unknown permission 'delete'");
    }

    @Test
    void patternCoverage_isExact() {
        assertThat(Permissions.covers(">", "a.b")).isTrue();
        assertThat(Permissions.covers("a.>", "a.b.c")).isTrue();
        assertThat(Permissions.covers("a.>", "a")).isFalse();
        assertThat(Permissions.covers("a.*", "a.b")).isTrue();
        assertThat(Permissions.covers("a.*", "a.*")).isTrue();
        assertThat(Permissions.covers("a.*", "a.>")).isFalse();
        assertThat(Permissions.covers("a.b", "a.*")).isFalse();
        assertThat(Permissions.covers("a.*.c", "a.x.c")).isTrue();
        assertThat(Permissions.covers("a.*.c", "a.x.d")).isFalse();
    }
}
