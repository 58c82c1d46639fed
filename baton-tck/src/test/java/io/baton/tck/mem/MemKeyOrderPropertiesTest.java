package io.baton.tck.mem;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.Baton;
import io.baton.ConsumeOptions;
import io.baton.Queue;
import io.baton.SendOptions;
import io.baton.tck.Fixtures.Keyed;
import io.baton.tck.Recorder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.awaitility.Awaitility;

/** Any interleaving of keyed sends, consumed with concurrency above 1 on {@code mem:}, keeps each key's send order. */
class MemKeyOrderPropertiesTest {
    private static final AtomicLong QUEUES = new AtomicLong();

    @Property(tries = 30)
    void keyedSends_consumedInParallel_keepPerKeyOrder(@ForAll("interleavings") List<String> keys,
                                                       @ForAll @IntRange(min = 2, max = 8) int concurrency) {
        try (Baton baton = Baton.connect("mem:")) {
            Queue<Keyed> queue = baton.queue("tck.keyorder.q" + QUEUES.incrementAndGet(), Keyed.class);
            Map<String, Recorder<Integer>> seen = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
            Recorder<String> violations = new Recorder<>();
            AtomicInteger handled = new AtomicInteger();
            queue.consume(m -> {
                if (running.computeIfAbsent(m.key(), k -> new AtomicInteger()).incrementAndGet() > 1) {
                    violations.add(m.key() + " ran twice at once at " + m.seq());
                }
                seen.computeIfAbsent(m.key(), k -> new Recorder<>()).add(m.seq());
                if (m.seq() % 3 == 0) {
                    Thread.sleep(1); // uneven work, so keys overtake one another
                }
                running.get(m.key()).decrementAndGet();
                handled.incrementAndGet();
            }, ConsumeOptions.builder().concurrency(concurrency).build());

            Map<String, Integer> next = new HashMap<>();
            for (String key : keys) {
                int seq = next.merge(key, 1, Integer::sum) - 1;
                queue.send(new Keyed(key, seq), SendOptions.withKey(key));
            }

            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2))
                    .until(() -> handled.get() == keys.size());
            assertThat(violations.items()).isEmpty();
            for (Map.Entry<String, Integer> key : next.entrySet()) {
                assertThat(seen.get(key.getKey()).items()).as(key.getKey())
                        .containsExactlyElementsOf(IntStream.range(0, key.getValue()).boxed().collect(Collectors.toList()));
            }
        }
    }

    @Provide
    Arbitrary<List<String>> interleavings() {
        return Arbitraries.of("a", "b", "c", "d", "e").list().ofMinSize(1).ofMaxSize(60);
    }
}
