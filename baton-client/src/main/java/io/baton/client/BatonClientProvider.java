package io.baton.client;

import io.baton.spi.Backend;
import io.baton.spi.BackendProvider;
import io.baton.spi.BackendUrl;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens {@code baton://HOST[:PORT]} connections to a Baton server (port 7400 by default), with
 * optional parameters {@code token=T}, or {@code user=U&password=P}, and
 * {@code connectTimeoutMillis=N} (default 5000), {@code requestTimeoutMillis=N} (default 30000) and
 * {@code pingIntervalMillis=N} (default 30000: a PING after that long with nothing read, the
 * connection lost after as long again).
 * TLS: {@code tls=true} (trusting the JDK's CAs), or {@code trust=CA.pem} to trust a CA of one's
 * own; {@code cert=CLIENT.pem&key=CLIENT-KEY.pem} (PKCS#8) for servers that want a client certificate.
 * The server's certificate must name the host connected to.
 * {@code callConnections=N} (default 4; 0 for none): blocking calls from platform threads use up to
 * N connections of their own, each written and read by the calling thread (without TLS only).
 */
public final class BatonClientProvider implements BackendProvider {
    private static final int DEFAULT_CALL_CONNECTIONS = 4;
    private static final int MAX_CALL_CONNECTIONS = 64;

    @Override
    public String scheme() {
        return "baton";
    }

    @Override
    public Backend open(String url) {
        BackendUrl parsed = BackendUrl.parse(url, "baton");
        String token = parsed.take("token");
        String user = parsed.take("user");
        String password = parsed.take("password");
        String tls = parsed.take("tls");
        String trust = parsed.take("trust");
        String cert = parsed.take("cert");
        String key = parsed.take("key");
        Duration connectTimeout = Duration.ofMillis(parsed.takePositive("connectTimeoutMillis", 5_000));
        Duration requestTimeout = Duration.ofMillis(parsed.takePositive("requestTimeoutMillis", 30_000));
        Duration pingInterval = Duration.ofMillis(parsed.takePositive("pingIntervalMillis", ClientConnection.PING_INTERVAL.toMillis()));
        long callConnections = parsed.takeAtLeast("callConnections", 0, DEFAULT_CALL_CONNECTIONS);
        if (callConnections > MAX_CALL_CONNECTIONS) throw parsed.invalid("callConnections=" + callConnections + " is more than " + MAX_CALL_CONNECTIONS);
        parsed.requireAllTaken();
        String target = parsed.target();
        if (!target.startsWith("//") || target.length() == 2) throw parsed.invalid("expected baton://host:port");
        String hostPort = target.substring(2);
        if (hostPort.endsWith("/")) hostPort = hostPort.substring(0, hostPort.length() - 1);
        String host = hostPort;
        int port = 7400;
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
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        ClientConnection.Credentials credentials;
        if (token != null) {
            if (user != null || password != null) throw parsed.invalid("give a token or a user and password, not both");
            credentials = new ClientConnection.Credentials(1, token, null, null);
        } else if (user != null || password != null) {
            if (user == null || password == null) throw parsed.invalid("a user needs a password, and a password a user");
            credentials = new ClientConnection.Credentials(2, null, user, password);
        } else {
            credentials = ClientConnection.Credentials.NONE;
        }
        ClientConnection.Tls tlsOptions = null;
        if (tls != null && !tls.equals("true") && !tls.equals("false")) throw parsed.invalid("tls must be true or false, not '" + tls + "'");
        if ("true".equals(tls) || trust != null || cert != null) {
            if ((cert == null) != (key == null)) throw parsed.invalid("a client certificate (cert) needs its key (key), and a key its certificate");
            tlsOptions = new ClientConnection.Tls(trust == null ? null : Path.of(trust), cert == null ? null : Path.of(cert), key == null ? null : Path.of(key));
        } else if (key != null) {
            throw parsed.invalid("key without cert");
        }
        // calls on connections of their own speak plain TCP: with TLS, every call goes through the shared connection
        CallLanes lanes = new CallLanes(host, port, credentials, connectTimeout, tlsOptions == null ? (int) callConnections : 0);
        return new ClientBackend(new ClientConnection(host, port, credentials, connectTimeout, tlsOptions, pingInterval), lanes, requestTimeout);
    }
}
