package io.baton.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.spi.Envelope;
import io.nats.client.impl.Headers;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NatsHeadersTest {

    /** A message being sent now. */
    private static Envelope envelope(String id, String key, Map<String, String> headers) {
        return new Envelope("orders", id, key, headers, new byte[] {1, 2}, System.currentTimeMillis());
    }

    @Test
    void queueMessage_idIsNatsMsgId_soJetStreamDeduplicatesIt() {
        Headers h = NatsHeaders.toNats(envelope("order-1", "customer-7", Map.of("trace", "abc")), true);

        assertThat(h.getFirst("Nats-Msg-Id")).isEqualTo("order-1");
        assertThat(h.containsKey("baton-id")).isFalse();
        assertThat(h.getFirst("baton-key")).isEqualTo("customer-7");
        assertThat(h.getFirst("trace")).isEqualTo("abc");
        assertThat(h.containsKey("baton-time")).as("a fresh message's time is JetStream's").isFalse();
    }

    @Test
    void topicMessage_idIsBatonId_soDistinctPublishesSharingItAreKept() {
        Headers h = NatsHeaders.toNats(envelope("publish-1", null, Map.of()), false);

        assertThat(h.getFirst("baton-id")).isEqualTo("publish-1");
        assertThat(h.containsKey("Nats-Msg-Id")).isFalse();
        assertThat(h.containsKey("baton-key")).isFalse();
    }

    @Test
    void anOldMessage_carriesItsSendTime_andGetsItBack() {
        Envelope old = new Envelope("orders", null, null, Map.of("trace", "abc"), new byte[0], 1_700_000_000_123L); // a dead letter of 2023
        Headers h = NatsHeaders.toNats(old, true);
        assertThat(h.getFirst("baton-time")).isEqualTo("1700000000123");

        Envelope back = NatsHeaders.toEnvelope("orders", h, new byte[0], 42L);

        assertThat(back.headers()).containsExactly(Map.entry("trace", "abc"));
        assertThat(back.timestamp()).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void messageWithNothingToCarry_hasNoHeaderBlock() {
        Headers h = NatsHeaders.toNats(envelope(null, null, Map.of()), true);
        assertThat(h).as("a fresh message needs no send time").isNull();
    }

    @Test
    void roundTrip_keepsIdKeyAndHeaders_andTakesTheTimeGiven() {
        Map<String, String> app = Map.of("trace", "abc", "baton-dlq-reason", "failed:\nline two ✓", "tenant", "=?looks encoded?=");
        for (boolean dedupe : new boolean[] {true, false}) {
            Envelope sent = envelope("id-1", "k", app);
            Headers h = NatsHeaders.toNats(sent, dedupe);

            Envelope back = NatsHeaders.toEnvelope("orders", h, sent.payload(), 1_700_000_000_999L);

            assertThat(back.id()).isEqualTo("id-1");
            assertThat(back.key()).isEqualTo("k");
            assertThat(back.timestamp()).isEqualTo(1_700_000_000_999L);
            assertThat(back.headers()).isEqualTo(app);
            assertThat(back.payload()).containsExactly(1, 2);
        }
    }

    @Test
    void valueThatIsNotPrintableAscii_travelsAsAnEncodedWord_andPlainValuesStayReadable() {
        assertThat(NatsHeaders.encodeValue("plain value 1")).isEqualTo("plain value 1");
        String encoded = NatsHeaders.encodeValue("héllo\r\n");
        assertThat(encoded).startsWith("=?utf-8?b?").endsWith("?=").matches("[ -~]+");
        assertThat(NatsHeaders.decodeValue(encoded)).isEqualTo("héllo\r\n");
        assertThat(NatsHeaders.decodeValue("=?utf-8?b?not base64!?=")).isEqualTo("=?utf-8?b?not base64!?=");
    }

    @Test
    void messageFromAnotherNatsClient_withoutHeaders_getsTheFallbackTime() {
        Envelope e = NatsHeaders.toEnvelope("prices.eu", null, null, 42);

        assertThat(e.id()).isNull();
        assertThat(e.key()).isNull();
        assertThat(e.headers()).isEmpty();
        assertThat(e.payload()).isEmpty();
        assertThat(e.timestamp()).isEqualTo(42);
    }

    @Test
    void headerNameNatsCannotCarry_throwsIllegalArgumentExceptionNamingIt() {
        assertThatThrownBy(() -> NatsHeaders.toNats(envelope(null, null, Map.of("with space", "x")), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("with space");
        assertThatThrownBy(() -> NatsHeaders.toNats(envelope(null, null, Map.of("a:b", "x")), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a:b");
    }
}
