package io.baton.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.Baton;
import io.baton.BatonException;
import org.junit.jupiter.api.Test;

class BackendUrlTest {

    @Test
    void parse_splitsTargetAndParameters() {
        BackendUrl url = BackendUrl.parse("file:./data?durability=os&segmentBytes=4096", "file");
        assertThat(url.target()).isEqualTo("./data");
        assertThat(url.take("durability")).isEqualTo("os");
        assertThat(url.takePositive("segmentBytes", 1)).isEqualTo(4096);
        assertThat(url.takePositive("absent", 7)).isEqualTo(7);
        url.requireAllTaken();
    }

    @Test
    void badParameters_failWithTheUrlAndTheReason() {
        assertThatThrownBy(() -> BackendUrl.parse("mem:?oops", "mem"))
                .isInstanceOf(BatonException.class).hasMessageContaining("mem:?oops").hasMessageContaining("not name=value");
        assertThatThrownBy(() -> BackendUrl.parse("mem:?n=-3", "mem").takePositive("n", 1))
                .isInstanceOf(BatonException.class).hasMessageContaining("n='-3' is not a positive number");
        BackendUrl extra = BackendUrl.parse("mem:?historyMessages=5&typo=1", "mem");
        extra.takePositive("historyMessages", 1);
        assertThatThrownBy(extra::requireAllTaken).hasMessageContaining("unknown parameters [typo]");
    }

    @Test
    void memUrls_withBadParameters_doNotConnect() {
        assertThatThrownBy(() -> Baton.connect("mem:?historyMessages=zero")).isInstanceOf(BatonException.class)
                .hasMessageContaining("historyMessages");
        assertThatThrownBy(() -> Baton.connect("mem:/x")).isInstanceOf(BatonException.class).hasMessageContaining("mem://NAME");
        try (Baton a = Baton.connect("mem://shared"); Baton b = Baton.connect("mem://shared")) {
            b.queue("q", String.class).send("hello");
            assertThat(a.queue("q", String.class).receive(java.time.Duration.ofSeconds(5))).get()
                    .satisfies(m -> assertThat(m.body()).isEqualTo("hello"));
        }
    }
}
