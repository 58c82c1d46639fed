package io.baton.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.InvalidNameException;
import io.baton.internal.Subjects;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Names, subjects and patterns against a reference model written from the rules: tokens are
 * non-empty runs of {@code [A-Za-z0-9_-]} separated by {@code .}, at most 255 characters in all; a
 * pattern token may also be {@code *} (exactly one token) or, last, {@code >} (one or more tokens).
 */
class SubjectsPropertiesTest {

    // ---- the reference model ------------------------------------------------------------------

    static boolean validToken(String token) {
        return !token.isEmpty() && token.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c == '_' || c == '-');
    }

    static List<String> tokens(String s) {
        return List.of(s.split("\\.", -1));
    }

    static boolean validSubject(String s) {
        return !s.isEmpty() && s.length() <= 255 && tokens(s).stream().allMatch(SubjectsPropertiesTest::validToken);
    }

    static boolean validPattern(String p) {
        if (p.isEmpty() || p.length() > 255) {
            return false;
        }
        List<String> tokens = tokens(p);
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            boolean wildcard = token.equals("*") || (token.equals(">") && i == tokens.size() - 1);
            if (!wildcard && !validToken(token)) {
                return false;
            }
        }
        return true;
    }

    static boolean modelIsPattern(String validPattern) {
        return tokens(validPattern).stream().anyMatch(t -> t.equals("*") || t.equals(">"));
    }

    static boolean modelMatches(String pattern, String subject) {
        List<String> p = tokens(pattern);
        List<String> s = tokens(subject);
        for (int i = 0; i < p.size(); i++) {
            String token = p.get(i);
            if (token.equals(">")) {
                return s.size() > i;
            }
            if (i >= s.size() || !(token.equals("*") || token.equals(s.get(i)))) {
                return false;
            }
        }
        return p.size() == s.size();
    }

    // ---- properties ---------------------------------------------------------------------------

    @Property
    void checkSubject_acceptsExactlyTheValidSubjects(@ForAll("names") String s) {
        assertAgreesWithModel(Subjects::checkSubject, s, validSubject(s));
    }

    @Property
    void checkQueueName_acceptsExactlyTheValidNames(@ForAll("names") String s) {
        assertAgreesWithModel(Subjects::checkQueueName, s, validSubject(s));
    }

    @Property
    void checkPattern_acceptsExactlyTheValidPatterns(@ForAll("names") String s) {
        assertAgreesWithModel(Subjects::checkPattern, s, validPattern(s));
    }

    @Property
    void checkPattern_acceptsEveryGeneratedPattern(@ForAll("patterns") String p) {
        assertThat(validPattern(p)).as("model").isTrue();
        assertThatCode(() -> Subjects.checkPattern(p)).doesNotThrowAnyException();
    }

    @Property
    void isPattern_isTrueExactlyWhenAWildcardTokenIsPresent(@ForAll("patterns") String p) {
        assertThat(Subjects.isPattern(p)).isEqualTo(modelIsPattern(p));
    }

    @Property
    void isPattern_isFalseForSubjects(@ForAll("subjects") String s) {
        assertThat(Subjects.isPattern(s)).isFalse();
    }

    @Property
    void matches_agreesWithTheModel(@ForAll("patterns") String pattern, @ForAll("subjects") String subject) {
        assertThat(Subjects.matches(pattern, subject)).as("%s matches %s", pattern, subject)
                .isEqualTo(modelMatches(pattern, subject));
    }

    @Property
    void matches_aPatternDerivedFromASubject(@ForAll("derived") List<String> patternAndSubject) {
        String pattern = patternAndSubject.get(0);
        String subject = patternAndSubject.get(1);
        assertThat(modelMatches(pattern, subject)).as("model").isTrue();
        assertThat(Subjects.matches(pattern, subject)).as("%s matches %s", pattern, subject).isTrue();
    }

    @Property
    void matches_aSubjectMatchesItself(@ForAll("subjects") String subject) {
        assertThat(Subjects.matches(subject, subject)).isTrue();
    }

    @Example
    void examples() {
        assertThat(Subjects.matches(">", "a")).isTrue();
        assertThat(Subjects.matches(">", "a.b.c")).isTrue();
        assertThat(Subjects.matches("*", "a")).isTrue();
        assertThat(Subjects.matches("*", "a.b")).isFalse();
        assertThat(Subjects.matches("a.>", "a")).isFalse();
        assertThat(Subjects.matches("a.>", "a.b")).isTrue();
        assertThat(Subjects.matches("a.*.c", "a.b.c")).isTrue();
        assertThat(Subjects.matches("a.*.c", "a.b.b.c")).isFalse();
        assertThat(Subjects.matches("a.*", "a")).isFalse();
        assertThat(Subjects.matches("orders.eu", "orders.EU")).isFalse();
        assertThatThrownBy(() -> Subjects.checkPattern("a.>.b")).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> Subjects.checkPattern("a.b*")).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> Subjects.checkSubject("a.*")).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> Subjects.checkQueueName("a.>")).isInstanceOf(InvalidNameException.class);
        String longest = "a".repeat(255);
        assertThatCode(() -> Subjects.checkSubject(longest)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Subjects.checkSubject(longest + "a")).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> Subjects.checkPattern("a".repeat(254) + ".>")).isInstanceOf(InvalidNameException.class);
    }

    private static void assertAgreesWithModel(Consumer<String> check, String s, boolean valid) {
        if (valid) {
            assertThatCode(() -> check.accept(s)).as("'%s' is valid", s).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> check.accept(s)).as("'%s' is invalid", s)
                    .isInstanceOf(InvalidNameException.class)
                    .hasMessageContaining(s.length() <= 64 ? s : "");
        }
    }

    // ---- generators ---------------------------------------------------------------------------

    private static final List<String> TOKENS = List.of("a", "b", "c", "orders", "EU", "x-1", "Y_2", "0");

    /** Mostly malformed strings over a small alphabet, some near the 255-character bound. */
    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> small = Arbitraries.strings().withChars("aZ09_-.*> é\t/").ofMaxLength(12);
        Arbitrary<String> nearBound = Arbitraries.strings().withChars("ab.").ofMinLength(250).ofMaxLength(260);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, small),
                net.jqwik.api.Tuple.of(2, subjects()),
                net.jqwik.api.Tuple.of(2, patterns()),
                net.jqwik.api.Tuple.of(1, nearBound));
    }

    @Provide
    Arbitrary<String> subjects() {
        return Arbitraries.of(TOKENS).list().ofMinSize(1).ofMaxSize(5).map(t -> String.join(".", t));
    }

    @Provide
    Arbitrary<String> patterns() {
        Arbitrary<List<String>> body = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(TOKENS)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just("*"))).list().ofMaxSize(5);
        return Combinators.combine(body, Arbitraries.of(true, false)).as((tokens, tail) -> {
            List<String> all = new ArrayList<>(tokens);
            if (tail || all.isEmpty()) {
                all.add(">");
            }
            return String.join(".", all);
        });
    }

    /** A subject and a pattern made from it (tokens replaced by {@code *}, a tail by {@code >}): always a match. */
    @Provide
    Arbitrary<List<String>> derived() {
        return Combinators.combine(
                Arbitraries.of(TOKENS).list().ofMinSize(1).ofMaxSize(6),
                Arbitraries.of(true, false).list().ofSize(6),
                Arbitraries.integers().between(0, 6)).as((tokens, stars, cut) -> {
                    List<String> pattern = new ArrayList<>();
                    for (int i = 0; i < tokens.size(); i++) {
                        if (i >= 1 && i == cut) {
                            pattern.add(">");
                            break;
                        }
                        pattern.add(stars.get(i) ? "*" : tokens.get(i));
                    }
                    return List.of(String.join(".", pattern), String.join(".", tokens));
                });
    }
}
