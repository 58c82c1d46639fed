package io.baton.nats;

import io.baton.spi.BackendUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code nats:} URL taken apart:
 *
 * <pre>
 * nats://HOST[:PORT][,HOST2[:PORT]...][?user=U&amp;password=P | ?token=T | ?creds=FILE]
 *        [&amp;tls=true][&amp;truststore=JKS&amp;truststorePassword=PW][&amp;keystore=JKS&amp;keystorePassword=PW]
 *        [&amp;prefix=baton][&amp;replicas=N][&amp;ackWaitSeconds=N][&amp;connectTimeoutMillis=N]
 *        [&amp;history=false | &amp;historyMessages=N&amp;historyBytes=N&amp;historyAgeSeconds=N]
 * </pre>
 *
 * @param servers     the seed servers, {@code nats://host:port} or {@code tls://host:port}
 * @param prefix      the subject prefix and stream name prefix of everything Baton creates
 * @param replicas    JetStream replicas of the streams Baton creates (1 on a single server)
 * @param ackWait     how long JetStream waits for an ack before redelivering: the lease of a
 *                    delivery whose consumer vanished (live consumers enforce their own lease)
 * @param history     whether topics keep a history in JetStream (for replay and durable
 *                    subscriptions); without it a topic is plain core NATS
 */
record NatsSettings(List<String> servers, String prefix, String user, String password, String token, String creds,
                    boolean tls, String truststore, String truststorePassword, String keystore, String keystorePassword,
                    int replicas, Duration ackWait, Duration connectTimeout,
                    boolean history, long historyMessages, long historyBytes, Duration historyAge) {

    static final int DEFAULT_PORT = 4222;

    /** @throws io.baton.BatonException saying what is wrong with {@code url} */
    static NatsSettings parse(String url) {
        BackendUrl parsed = BackendUrl.parse(url, "nats");
        String user = parsed.take("user");
        String password = parsed.take("password");
        String token = parsed.take("token");
        String creds = parsed.take("creds");
        String tls = parsed.take("tls");
        String truststore = parsed.take("truststore");
        String truststorePassword = parsed.take("truststorePassword");
        String keystore = parsed.take("keystore");
        String keystorePassword = parsed.take("keystorePassword");
        String prefix = parsed.take("prefix");
        long replicas = parsed.takePositive("replicas", 1);
        long ackWaitSeconds = parsed.takePositive("ackWaitSeconds", 30);
        long connectTimeoutMillis = parsed.takePositive("connectTimeoutMillis", 5_000);
        String history = parsed.take("history");
        if ("false".equals(history) && (parsed.has("historyMessages") || parsed.has("historyBytes") || parsed.has("historyAgeSeconds"))) {
            throw parsed.invalid("history=false keeps no history: historyMessages, historyBytes and historyAgeSeconds do not apply");
        }
        long historyMessages = parsed.takePositive("historyMessages", 100_000);
        long historyBytes = parsed.takePositive("historyBytes", 64L << 20);
        long historyAgeSeconds = parsed.takePositive("historyAgeSeconds", 3_600);
        parsed.requireAllTaken();

        if (prefix == null) prefix = "baton";
        if (!NatsNames.validPrefix(prefix)) throw parsed.invalid("prefix '" + prefix + "' must be one token of letters, digits, '-' and '_', at most 32 characters");
        if (replicas > 5) throw parsed.invalid("replicas=" + replicas + ": JetStream keeps at most 5");
        int ways = (token != null ? 1 : 0) + (creds != null ? 1 : 0) + (user != null || password != null ? 1 : 0);
        if (ways > 1) throw parsed.invalid("give one of token, creds, or user and password");
        if ((user == null) != (password == null)) throw parsed.invalid("a user needs a password, and a password a user");
        if (tls != null && !tls.equals("true") && !tls.equals("false")) throw parsed.invalid("tls must be true or false, not '" + tls + "'");
        if (history != null && !history.equals("true") && !history.equals("false")) throw parsed.invalid("history must be true or false, not '" + history + "'");
        boolean keepsHistory = !"false".equals(history);
        if ((keystore == null) != (keystorePassword == null)) throw parsed.invalid("keystore and keystorePassword go together");
        if (truststorePassword != null && truststore == null) throw parsed.invalid("truststorePassword without truststore");
        boolean secure = "true".equals(tls) || truststore != null || keystore != null;

        String target = parsed.target();
        if (!target.startsWith("//") || target.length() == 2) throw parsed.invalid("expected nats://host:port[,host:port...]");
        String hosts = target.substring(2);
        if (hosts.endsWith("/")) hosts = hosts.substring(0, hosts.length() - 1);
        List<String> servers = new ArrayList<>();
        for (String hostPort : hosts.split(",", -1)) {
            servers.add(server(parsed, hostPort.trim(), secure));
        }
        return new NatsSettings(List.copyOf(servers), prefix, user, password, token, creds, secure, truststore, truststorePassword,
                keystore, keystorePassword, (int) replicas, Duration.ofSeconds(ackWaitSeconds), Duration.ofMillis(connectTimeoutMillis),
                keepsHistory, historyMessages, historyBytes, Duration.ofSeconds(historyAgeSeconds));
    }

    private static String server(BackendUrl parsed, String hostPort, boolean secure) {
        if (hostPort.isEmpty()) throw parsed.invalid("empty host in the server list");
        String host = hostPort;
        int port = DEFAULT_PORT;
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0 && !hostPort.endsWith("]")) {
            host = hostPort.substring(0, colon);
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw parsed.invalid("port '" + hostPort.substring(colon + 1) + "' is not a number");
            }
            if (port < 1 || port > 65535) throw parsed.invalid("port " + port + " is not 1..65535");
        }
        if (host.isEmpty() || host.contains("/") || host.contains("@")) throw parsed.invalid("'" + hostPort + "' is not host[:port]");
        return (secure ? "tls://" : "nats://") + host + ":" + port;
    }

    /** What this connects to, without credentials, for messages. */
    String describe() {
        return String.join(",", servers);
    }
}
