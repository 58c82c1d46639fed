package io.baton.internal.mem;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A map from non-zero {@code long} keys to values, open addressing with linear probing and
 * backward-shift deletion: no boxing and no node per entry on the per-message path. Not
 * thread-safe; the owning queue's lock guards it.
 */
final class LongMap<V> {
    private long[] keys;
    private Object[] values;
    private int size;
    private int mask;

    LongMap() {
        keys = new long[64];
        values = new Object[64];
        mask = 63;
    }

    int size() { return size; }

    boolean isEmpty() { return size == 0; }

    @SuppressWarnings("unchecked")
    V get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) return (V) values[i];
            if (k == 0) return null;
        }
    }

    void put(long key, V value) {
        if (key == 0) throw new IllegalArgumentException("key 0 is reserved");
        if ((size + 1) * 4 > keys.length * 3) grow();
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            if (keys[i] == 0) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    V remove(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == 0) return null;
            if (k == key) {
                V v = (V) values[i];
                deleteAt(i);
                return v;
            }
        }
    }

    /** Removes every value {@code test} accepts, handing each to {@code removed}. */
    @SuppressWarnings("unchecked")
    void removeIf(Predicate<V> test, Consumer<V> removed) {
        for (int i = 0; i < keys.length; ) {
            if (keys[i] != 0 && test.test((V) values[i])) {
                V v = (V) values[i];
                deleteAt(i);
                removed.accept(v);
                // a shifted entry may now sit at i: look at i again
            } else {
                i++;
            }
        }
    }

    private void deleteAt(int hole) {
        size--;
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            long k = keys[i];
            if (k == 0) break;
            int home = slot(k);
            // move k back into the hole if its home is not between the hole and i (cyclically)
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                keys[hole] = k;
                values[hole] = values[i];
                hole = i;
            }
        }
        keys[hole] = 0;
        values[hole] = null;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] == 0) continue;
            for (int j = slot(oldKeys[i]); ; j = (j + 1) & mask) {
                if (keys[j] == 0) {
                    keys[j] = oldKeys[i];
                    values[j] = oldValues[i];
                    size++;
                    break;
                }
            }
        }
    }
}
