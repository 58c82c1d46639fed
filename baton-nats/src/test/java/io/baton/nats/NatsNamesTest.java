package io.baton.nats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NatsNamesTest {
    private final NatsNames names = new NatsNames("baton");

    @Test
    void subjects_liveUnderThePrefix_oneNamespacePerPattern() {
        assertThat(names.queueSubject("orders.eu")).isEqualTo("baton.q.orders.eu");
        assertThat(names.topicSubject("prices.*.sap")).isEqualTo("baton.t.prices.*.sap");
        assertThat(names.topicOf("baton.t.prices.eu.sap")).isEqualTo("prices.eu.sap");
        assertThat(names.rpcSubject("calc.add")).isEqualTo("baton.rpc.calc.add");
        assertThat(names.topicsStream()).isEqualTo("baton_TOPICS");
    }

    @Test
    void streamNames_areReadable_andDistinctForNamesThatOnlyDifferInDotOrUnderscore() {
        assertThat(names.queueStream("orders.eu")).startsWith("baton_Q_orders_eu_").matches("[A-Za-z0-9_-]+");
        assertThat(names.queueStream("orders.eu")).isNotEqualTo(names.queueStream("orders_eu"));
        assertThat(names.durableConsumer("audit.log")).isNotEqualTo(names.durableConsumer("audit_log"));
    }

    @Test
    void longestNames_stayShortEnoughForTheServersDirectories() {
        String longest = "x".repeat(255);

        assertThat(names.queueStream(longest)).hasSizeLessThan(100);
        assertThat(names.queueStream(longest)).isNotEqualTo(names.queueStream("x".repeat(254)));
    }

    @Test
    void anotherPrefix_isAnotherNamespace() {
        NatsNames shop = new NatsNames("shop-prod");

        assertThat(shop.queueSubject("a")).isEqualTo("shop-prod.q.a");
        assertThat(shop.queueStream("a")).startsWith("shop-prod_Q_a_");
        assertThat(shop.streamNamePrefix()).isEqualTo("shop-prod_");
        assertThat(NatsNames.validPrefix("a.b")).isFalse();
        assertThat(NatsNames.validPrefix("x".repeat(33))).isFalse();
    }
}
