package io.baton.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.baton.BatonException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server's config file ({@code baton serve --config FILE}), YAML (or JSON):
 *
 * <pre>
 * server:                 # every key optional; command-line options win
 *   bind: 127.0.0.1
 *   port: 7400
 *   httpPort: 7401
 *   data: ./data          # file: storage in this directory (default: in memory)
 *   maxPayloadBytes: 1048576
 *   maxConnections: 10000
 *   loginTimeoutMillis: 2000
 *   subscriberPendingBytes: 8388608
 *   ioThreads: 1          # event-loop threads (default: half the processors)
 *   insecure: false       # true: listen beyond loopback without users
 * tls:                    # optional
 *   cert: server.pem
 *   key: server-key.pem   # PKCS#8
 *   clientCa: ca.pem      # optional: mutual TLS
 * users:
 *   - name: alice
 *     password: "pbkdf2-sha256:210000:...:..."   # baton passwd
 *     permissions:
 *       send: ["orders.*"]
 *       consume: ["orders.*"]
 *       publish: ["prices.&gt;"]
 *       subscribe: ["prices.&gt;"]
 *       serve: []
 *       call: ["svc.*"]
 * tokens:
 *   - name: ci-bot
 *     token: "sha256:..."                         # baton passwd --token
 *     permissions: { publish: ["&gt;"] }
 * </pre>
 *
 * Unknown keys are errors (a typo must not silently drop a setting), and so are secrets in the clear.
 */
public record ServerConfig(Server server, Tls tls, List<Principal> users, List<Principal> tokens) {

    public record Server(String bind, Integer port, Integer httpPort, String data, Integer maxPayloadBytes, Integer maxConnections,
                         Long loginTimeoutMillis, Integer subscriberPendingBytes, Integer ioThreads, Boolean insecure, String name) {}

    public record Tls(String cert, String key, String clientCa) {}

    /** A user (with {@code password}) or a token holder (with {@code token}). */
    public record Principal(String name, String password, String token, Map<String, List<String>> permissions) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /**
     * Reads a config file.
     *
     * @throws BatonException saying where and what is wrong
     */
    public static ServerConfig read(Path file) {
        try {
            ServerConfig config = YAML.readValue(file.toFile(), ServerConfig.class);
            if (config == null) throw new BatonException("config " + file + " is empty");
            config.authenticator(); // checks users, tokens and permissions now, not at the first login
            return config;
        } catch (JsonMappingException e) {
            throw new BatonException("config " + file + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (IOException e) {
            throw new BatonException("cannot read config " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BatonException("config " + file + ": " + e.getMessage(), e);
        }
    }

    /** Applies this config to {@code options}; relative paths are relative to {@code base}. */
    public ServerOptions.Builder applyTo(ServerOptions.Builder options, Path base) {
        if (server != null) {
            if (server.bind != null) options.bind(server.bind);
            if (server.port != null) options.port(server.port);
            if (server.data != null) options.storage("file:" + base.resolve(server.data));
            if (server.maxPayloadBytes != null) options.maxPayloadBytes(server.maxPayloadBytes);
            if (server.maxConnections != null) options.maxConnections(server.maxConnections);
            if (server.loginTimeoutMillis != null) options.loginTimeout(Duration.ofMillis(server.loginTimeoutMillis));
            if (server.subscriberPendingBytes != null) options.subscriberPendingBytes(server.subscriberPendingBytes);
            if (server.ioThreads != null) options.ioThreads(server.ioThreads);
            if (server.insecure != null) options.insecure(server.insecure);
            if (server.name != null) options.serverName(server.name);
        }
        if (tls != null) {
            if (tls.cert == null || tls.key == null) throw new BatonException("config: tls needs both cert and key");
            options.tls(new TlsOptions(base.resolve(tls.cert), base.resolve(tls.key), tls.clientCa == null ? null : base.resolve(tls.clientCa)));
        }
        return options.authenticator(authenticator());
    }

    /** The HTTP port the config asks for, or null. */
    public Integer httpPort() {
        return server == null ? null : server.httpPort;
    }

    Authenticator authenticator() {
        List<Authenticator.User> userList = new ArrayList<>();
        for (Principal p : users == null ? List.<Principal>of() : users) {
            if (p.name == null || p.password == null || p.token != null) throw new IllegalArgumentException("each user needs a name and a password (and no token)");
            userList.add(new Authenticator.User(p.name, p.password, permissions(p)));
        }
        List<Authenticator.Token> tokenList = new ArrayList<>();
        for (Principal p : tokens == null ? List.<Principal>of() : tokens) {
            if (p.name == null || p.token == null || p.password != null) throw new IllegalArgumentException("each token needs a name and a token (and no password)");
            tokenList.add(new Authenticator.Token(p.name, p.token, permissions(p)));
        }
        return new Authenticator(userList, tokenList);
    }

    private static Permissions permissions(Principal p) {
        Map<Permissions.Action, List<String>> allowed = new java.util.EnumMap<>(Permissions.Action.class);
        if (p.permissions != null) {
            p.permissions.forEach((verb, patterns) -> {
                Permissions.Action action;
                try {
                    action = Permissions.Action.valueOf(verb.toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + p.name + "': unknown permission '" + verb
                            + "'; the verbs are send, consume, publish, subscribe, serve, call");
                }
                allowed.put(action, patterns == null ? List.of() : patterns);
            });
        }
        return new Permissions(allowed);
    }
}
