package io.baton.internal.mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An atomic reference on cache lines of its own: senders compare-and-set it on every message, so
 * nothing else may share its line.
 */
final class PaddedReference<V> {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(PaddedReference.class, "value", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") private long p01, p02, p03, p04, p05, p06, p07, p08;
    private volatile Object value;
    @SuppressWarnings("unused") private long p11, p12, p13, p14, p15, p16, p17, p18;

    PaddedReference(V initial) {
        value = initial;
    }

    @SuppressWarnings("unchecked")
    V get() {
        return (V) value;
    }

    boolean compareAndSet(V expected, V update) {
        return VALUE.compareAndSet(this, expected, update);
    }
}
