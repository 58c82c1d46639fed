package io.baton.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.BatonException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NatsSettingsTest {

    @Test
    void parse_hostOnly_defaultsPortPrefixAndLimits() {
        NatsSettings s = NatsSettings.parse("nats://localhost");

        assertThat(s.servers()).containsExactly("nats://localhost:4222");
        assertThat(s.prefix()).isEqualTo("baton");
        assertThat(s.replicas()).isEqualTo(1);
        assertThat(s.ackWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.historyMessages()).isEqualTo(100_000);
        assertThat(s.historyBytes()).isEqualTo(64L << 20);
        assertThat(s.historyAge()).isEqualTo(Duration.ofHours(1));
        assertThat(s.tls()).isFalse();
        assertThat(s.history()).isTrue();
        assertThat(List.of(String.valueOf(s.user()), String.valueOf(s.token()), String.valueOf(s.creds()))).containsOnly("null");
    }

    @Test
    void parse_severalServersAndEveryParameter() {
        NatsSettings s = NatsSettings.parse("nats://n1:4222,n2:5222,[::1]:6222/?user=app&password=s3cret&prefix=shop-prod"
                + "&replicas=3&ackWaitSeconds=60&connectTimeoutMillis=2000&historyMessages=10&historyBytes=1024&historyAgeSeconds=86400");

        assertThat(s.servers()).containsExactly("nats://n1:4222", "nats://n2:5222", "nats://[::1]:6222");
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.password()).isEqualTo("s3cret");
        assertThat(s.prefix()).isEqualTo("shop-prod");
        assertThat(s.replicas()).isEqualTo(3);
        assertThat(s.ackWait()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.historyMessages()).isEqualTo(10);
        assertThat(s.historyBytes()).isEqualTo(1024);
        assertThat(s.historyAge()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void parse_tlsOrATrustStore_makesEveryServerTls() {
        assertThat(NatsSettings.parse("nats://a:1,b:2?tls=true").servers()).containsExactly("tls://a:1", "tls://b:2");
        NatsSettings s = NatsSettings.parse("nats://a?truststore=/etc/ca.jks&truststorePassword=pw&keystore=/etc/me.jks&keystorePassword=kpw");
        assertThat(s.servers()).containsExactly("tls://a:4222");
        assertThat(s.truststore()).isEqualTo("/etc/ca.jks");
        assertThat(s.keystorePassword()).isEqualTo("kpw");
    }

    @Test
    void parse_historyFalse_keepsNoHistory() {
        assertThat(NatsSettings.parse("nats://a?history=false").history()).isFalse();
        assertThat(NatsSettings.parse("nats://a?history=true&historyMessages=5").history()).isTrue();
    }

    @Test
    void parse_tokenOrCreds() {
        assertThat(NatsSettings.parse("nats://a?token=t0k").token()).isEqualTo("t0k");
        assertThat(NatsSettings.parse("nats://a?creds=/home/me/app.creds").creds()).isEqualTo("/home/me/app.creds");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "nats:", "nats://", "nats:host", "nats://a:port", "nats://a:0", "nats://a:70000", "nats://a,,b", "nats://user@a",
            "nats://a?user=u", "nats://a?password=p", "nats://a?token=t&user=u&password=p", "nats://a?token=t&creds=c",
            "nats://a?tls=yes", "nats://a?keystore=k", "nats://a?truststorePassword=p", "nats://a?prefix=a.b",
            "nats://a?prefix=a*", "nats://a?prefix=", "nats://a?replicas=0", "nats://a?replicas=7", "nats://a?ackWaitSeconds=-1",
            "nats://a?historyMessages=lots", "nats://a?unknown=1", "nats://a?novalue",
            "nats://a?history=no", "nats://a?history=false&historyAgeSeconds=60"})
    void parse_badUrl_throwsSayingWhy(String url) {
        assertThatThrownBy(() -> NatsSettings.parse(url)).isInstanceOf(BatonException.class).hasMessageContaining("cannot open '" + url + "'");
    }
}
