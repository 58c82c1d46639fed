package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.Codec;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class InterfaceRpcTest {
    private static final Codec CODEC = Codec.json();

    @Property
    void arguments_roundTrip(@ForAll String text, @ForAll int number, @ForAll List<Integer> list, @ForAll boolean nullText) {
        Object[] args = {nullText ? null : text, number, list};
        Type[] types = {String.class, Integer.class, List.class};
        Object[] back = unpack(InterfaceRpc.packArguments(CODEC, args), types);
        assertThat(back).containsExactly(args);
    }

    @Test
    void unpack_rejectsTruncatedAndLyingBlocks() {
        byte[] good = InterfaceRpc.packArguments(CODEC, new Object[] {"a", 1});
        Type[] types = {String.class, Integer.class};
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> InterfaceRpc.unpackArguments(CODEC, truncated, types)).isInstanceOf(RpcServer.Failure.class);
        }
        byte[] huge = good.clone();
        huge[7] = 0x7f; // first length becomes enormous
        assertThatThrownBy(() -> InterfaceRpc.unpackArguments(CODEC, huge, types))
                .isInstanceOf(RpcServer.Failure.class).hasMessageContaining("bad length");
    }

    private static Object[] unpack(byte[] packed, Type[] types) {
        try {
            return InterfaceRpc.unpackArguments(CODEC, packed, types);
        } catch (RpcServer.Failure f) {
            throw new AssertionError(f);
        }
    }
}
