package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.Baton;
import io.baton.ConnectOptions;
import io.baton.Queue;
import io.baton.QueueOptions;
import io.baton.SendOptions;
import io.baton.UnsupportedCapabilityException;
import io.baton.internal.mem.MemBackendProvider;
import io.baton.spi.Backend;
import io.baton.spi.Capability;
import io.baton.spi.QueueChannel;
import io.baton.spi.RpcChannel;
import io.baton.spi.TopicChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A send asking for what the backend does not offer is refused with a clear error, and nothing is stored. */
class UnofferedCapabilityTest {

    /** mem: declaring neither key order, nor delay, nor dedupe (as nats: declares neither of the first two). */
    static final class PlainBackend implements Backend {
        private final Backend mem = new MemBackendProvider().open("mem:");

        @Override
        public Set<Capability> capabilities() {
            Set<Capability> caps = EnumSet.copyOf(mem.capabilities());
            caps.removeAll(EnumSet.of(Capability.KEY_ORDER, Capability.DELAYED_DELIVERY, Capability.DEDUPE));
            return caps;
        }

        @Override public QueueChannel queue(String name, QueueOptions options) { return mem.queue(name, options); }
        @Override public TopicChannel topics() { return mem.topics(); }
        @Override public RpcChannel rpc() { return mem.rpc(); }
        @Override public void close() { mem.close(); }
    }

    @Test
    void aKeyADelayOrAnId_onABackendWithoutThem_areRefused_andNothingIsSent() {
        try (Baton baton = new BackendBaton(new PlainBackend(), ConnectOptions.defaults())) {
            Queue<String> queue = baton.queue("plain", String.class);
            assertThatThrownBy(() -> queue.send("a", SendOptions.withKey("k")))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("KEY_ORDER").hasMessageContaining("'plain'");
            assertThatThrownBy(() -> queue.send("b", SendOptions.builder().delay(Duration.ofSeconds(1)).build()))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("DELAYED_DELIVERY");
            assertThatThrownBy(() -> queue.send("c", SendOptions.builder().deliverAt(Instant.now().plusSeconds(1)).build()))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("DELAYED_DELIVERY");
            assertThatThrownBy(() -> queue.send("d", SendOptions.builder().id("once").build()))
                    .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("DEDUPE");
            assertThat(queue.stats().sent()).as("nothing refused was stored").isZero();

            queue.send("plain", SendOptions.builder().header("h", "v").build()); // what it does offer still works
            assertThat(queue.receive(Duration.ofSeconds(5))).get().extracting(m -> m.body()).isEqualTo("plain");
        }
    }
}
