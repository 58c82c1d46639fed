package io.baton.internal;

import io.baton.InvalidNameException;

/**
 * Names of queues and subjects: dot-separated tokens of letters, digits, {@code -} and
 * {@code _}, at most 255 characters. A pattern may also use {@code *} for exactly one token and a
 * final {@code >} for one or more remaining tokens, as NATS does.
 */
public final class Subjects {
    public static final int MAX_LENGTH = 255;

    private Subjects() {}

    /** @throws InvalidNameException if {@code name} is not a valid queue name */
    public static void checkQueueName(String name) {
        check(name, "queue name", false);
    }

    /** @throws InvalidNameException if {@code subject} is not a valid subject (no wildcards) */
    public static void checkSubject(String subject) {
        check(subject, "subject", false);
    }

    /** @throws InvalidNameException if {@code pattern} is not a valid subject or pattern */
    public static void checkPattern(String pattern) {
        check(pattern, "subject pattern", true);
    }

    /** True if {@code s} contains a {@code *} or {@code >} token. */
    public static boolean isPattern(String s) {
        int start = 0;
        int n = s.length();
        while (start <= n) {
            int dot = s.indexOf('.', start);
            int end = dot < 0 ? n : dot;
            if (end - start == 1 && (s.charAt(start) == '*' || s.charAt(start) == '>')) return true;
            if (dot < 0) break;
            start = dot + 1;
        }
        return false;
    }

    /** True if the (valid) {@code pattern} matches the (valid) {@code subject}. */
    public static boolean matches(String pattern, String subject) {
        int p = 0, s = 0;
        int pn = pattern.length(), sn = subject.length();
        while (true) { // both have a token left here
            int pEnd = tokenEnd(pattern, p);
            int sEnd = tokenEnd(subject, s);
            int pLen = pEnd - p;
            if (pLen == 1 && pattern.charAt(p) == '>') return true;
            boolean tokenMatches = (pLen == 1 && pattern.charAt(p) == '*')
                    || (pLen == sEnd - s && pattern.regionMatches(p, subject, s, pLen));
            if (!tokenMatches) return false;
            boolean patternDone = pEnd == pn;
            boolean subjectDone = sEnd == sn;
            if (patternDone || subjectDone) return patternDone && subjectDone;
            p = pEnd + 1;
            s = sEnd + 1;
        }
    }

    private static int tokenEnd(String s, int from) {
        int dot = s.indexOf('.', from);
        return dot < 0 ? s.length() : dot;
    }

    private static void check(String name, String what, boolean wildcards) {
        if (name == null) throw new InvalidNameException(what + " must not be null");
        if (name.isEmpty()) throw new InvalidNameException(what + " must not be empty");
        if (name.length() > MAX_LENGTH) {
            throw new InvalidNameException(what + " '" + name.substring(0, 40) + "...' is " + name.length() + " characters; at most " + MAX_LENGTH + " are allowed");
        }
        int tokenStart = 0;
        for (int i = 0; i <= name.length(); i++) {
            char c = i == name.length() ? '.' : name.charAt(i);
            if (c == '.') {
                int len = i - tokenStart;
                if (len == 0) throw new InvalidNameException(what + " '" + name + "' has an empty token at position " + i);
                char first = name.charAt(tokenStart);
                if (len == 1 && (first == '*' || first == '>')) {
                    if (!wildcards) {
                        throw new InvalidNameException(what + " '" + name + "' contains the wildcard '" + first + "': only subscriptions may use patterns");
                    }
                    if (first == '>' && i != name.length()) {
                        throw new InvalidNameException(what + " '" + name + "': '>' must be the last token");
                    }
                }
                tokenStart = i + 1;
            } else if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                boolean wildcardToken = (c == '*' || c == '>') && i == tokenStart
                        && (i + 1 == name.length() || name.charAt(i + 1) == '.');
                if (!wildcardToken) {
                    throw new InvalidNameException(what + " '" + name + "' has the character '" + printable(c) + "' at position " + i
                            + "; allowed are letters, digits, '-', '_' and '.' between tokens"
                            + (wildcards ? ", and '*' or '>' as whole tokens" : ""));
                }
            }
        }
    }

    private static String printable(char c) {
        return Character.isISOControl(c) || Character.isWhitespace(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
