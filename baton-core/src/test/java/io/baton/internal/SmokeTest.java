package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.Baton;
import io.baton.NoRespondersException;
import io.baton.RemoteException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SmokeTest {
    record Add(int x, int y) {}

    interface Calc {
        int add(int x, int y);
        String hello(String name);
    }

    @Test
    void queue_topic_rpc_endToEnd() throws Exception {
        try (Baton baton = Baton.connect("mem:")) {
            List<Add> got = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(3);
            baton.queue("work", Add.class).consume(a -> { got.add(a); done.countDown(); });
            for (int i = 0; i < 3; i++) baton.queue("work", Add.class).send(new Add(i, i));
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(got).extracting(Add::x).containsExactly(0, 1, 2);

            CountDownLatch fan = new CountDownLatch(2);
            baton.topic("ev.*", String.class).subscribe(s -> fan.countDown());
            baton.topic("ev.>", String.class).subscribe(s -> fan.countDown());
            baton.topic("ev.x", String.class).publish("hi");
            assertThat(fan.await(5, TimeUnit.SECONDS)).isTrue();

            baton.serve("calc.add", Add.class, a -> a.x() + a.y());
            assertThat(baton.call("calc.add", new Add(1, 2), Integer.class)).isEqualTo(3);
            baton.serve("calc.fail", Add.class, a -> { throw new IllegalStateException("boom"); });
            assertThatThrownBy(() -> baton.call("calc.fail", new Add(1, 2), Integer.class))
                    .isInstanceOf(RemoteException.class).hasMessageContaining("boom");
            assertThatThrownBy(() -> baton.call("calc.none", new Add(1, 2), Integer.class)).isInstanceOf(NoRespondersException.class);

            baton.serve(Calc.class, new Calc() {
                public int add(int x, int y) { return x + y; }
                public String hello(String name) { return name == null ? null : "hello " + name; }
            });
            Calc calc = baton.proxy(Calc.class);
            assertThat(calc.add(2, 3)).isEqualTo(5);
            assertThat(calc.hello("bob")).isEqualTo("hello bob");
            assertThat(calc.hello(null)).isNull();
            assertThat(baton.queue("nothing", String.class).receive(Duration.ofMillis(50))).isEmpty();
        }
    }
}
