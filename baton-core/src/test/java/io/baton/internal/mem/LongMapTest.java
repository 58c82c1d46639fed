package io.baton.internal.mem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The in-flight map behaves like {@link HashMap} under any sequence of operations. */
class LongMapTest {

    record Op(int kind, long key) {}

    @Provide
    Arbitrary<List<Op>> operations() {
        // few distinct keys, so that collisions, shifts and removals of present keys are common
        Arbitrary<Op> op = Arbitraries.integers().between(0, 3)
                .flatMap(kind -> Arbitraries.longs().between(1, 200).map(key -> new Op(kind, key)));
        return op.list().ofMaxSize(400);
    }

    @Property
    void behavesLikeHashMap(@ForAll("operations") List<Op> ops) {
        LongMap<Long> map = new LongMap<>();
        Map<Long, Long> model = new HashMap<>();
        for (Op op : ops) {
            switch (op.kind()) {
                case 0, 1 -> {
                    map.put(op.key(), op.key() * 7);
                    model.put(op.key(), op.key() * 7);
                }
                case 2 -> assertThat(map.remove(op.key())).isEqualTo(model.remove(op.key()));
                default -> {
                    List<Long> removed = new ArrayList<>();
                    map.removeIf(v -> v % 3 == 0, removed::add);
                    List<Long> expected = new ArrayList<>();
                    model.values().removeIf(v -> {
                        if (v % 3 == 0) expected.add(v);
                        return v % 3 == 0;
                    });
                    assertThat(removed).containsExactlyInAnyOrderElementsOf(expected);
                }
            }
            assertThat(map.size()).isEqualTo(model.size());
        }
        for (long k = 1; k <= 200; k++) assertThat(map.get(k)).isEqualTo(model.get(k));
    }
}
