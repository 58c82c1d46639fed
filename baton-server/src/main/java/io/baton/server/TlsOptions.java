package io.baton.server;

import io.baton.BatonException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * TLS for the server's port, from PEM files: the server's certificate chain, its private key
 * (PKCS#8, {@code -----BEGIN PRIVATE KEY-----}), and optionally the CA that client certificates
 * must be signed by, which turns on mutual TLS (a client without such a certificate cannot connect).
 */
public record TlsOptions(Path certificate, Path privateKey, Path clientCa) {

    public TlsOptions {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /** Builds the server's TLS context, reading the files now. */
    SslContext serverContext() {
        for (Path p : clientCa == null ? new Path[] {certificate, privateKey} : new Path[] {certificate, privateKey, clientCa}) {
            if (!Files.isReadable(p)) throw new BatonException("TLS: cannot read " + p.toAbsolutePath());
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile());
            if (clientCa != null) builder.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new BatonException("TLS: cannot use " + certificate + " and " + privateKey
                    + (clientCa == null ? "" : " with client CA " + clientCa) + ": " + e.getMessage()
                    + " (the key must be PKCS#8 PEM: 'openssl pkcs8 -topk8 -nocrypt' converts one)", e);
        }
    }
}
