package io.baton.tck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.Codec;
import io.baton.CodecException;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link Codec#json()}: records round-trip as JSON; {@code byte[]} and {@code String} pass through untouched. */
class CodecPropertiesTest {
    private final Codec codec = Codec.json();

    public record Inner(String name, List<Integer> values) {}

    public record Sample(String text, int number, long big, double real, boolean flag,
                         List<String> words, Map<String, Integer> counts, Inner inner) {}

    @Property
    void record_roundTripsThroughJson(@ForAll("samples") Sample sample) {
        byte[] encoded = codec.encode(sample);

        assertThat(codec.decode(encoded, Sample.class)).isEqualTo(sample);
    }

    @Property
    void string_isEncodedAsItsUtf8Bytes_andBack(@ForAll("text") String text) {
        byte[] encoded = codec.encode(text);

        assertThat(encoded).containsExactly(text.getBytes(UTF_8));
        assertThat(codec.decode(encoded, String.class)).isEqualTo(text);
    }

    @Property
    void bytes_passThroughUntouched(@ForAll byte[] bytes) {
        byte[] original = bytes.clone();

        byte[] encoded = codec.encode(bytes);
        byte[] decoded = codec.decode(encoded, byte[].class);

        assertThat(encoded).containsExactly(original);
        assertThat(decoded).containsExactly(original);
        assertThat(bytes).as("input left as it was").containsExactly(original);
    }

    @Property
    void decode_ofArbitraryBytes_returnsOrThrowsCodecException(@ForAll("garbage") byte[] bytes) {
        try {
            codec.decode(bytes, Sample.class);
        } catch (CodecException expected) {
            // the only failure allowed
        }
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                .list().ofMaxSize(16)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
    }

    @Provide
    Arbitrary<Sample> samples() {
        Arbitrary<String> nullableText = text().injectNull(0.1);
        Arbitrary<Inner> inner = Combinators.combine(text(), Arbitraries.integers().list().ofMaxSize(4)).as(Inner::new).injectNull(0.2);
        return Combinators.combine(
                nullableText,
                Arbitraries.integers(),
                Arbitraries.longs(),
                Arbitraries.doubles(),
                Arbitraries.of(true, false),
                text().list().ofMaxSize(4),
                Arbitraries.maps(text(), Arbitraries.integers()).ofMaxSize(4),
                inner).as(Sample::new);
    }

    /** Random bytes, and near-JSON text that is more likely to get deep into the decoder. */
    @Provide
    Arbitrary<byte[]> garbage() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789.eE-+tfnrul \\abctextnumber")
                .ofMaxLength(64).map(s -> s.getBytes(UTF_8));
        return Arbitraries.oneOf(random, jsonish);
    }
}
