package io.baton.server;

import io.baton.internal.Subjects;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one user may do: for each action, the subject patterns (NATS syntax, {@code *} and
 * {@code >}) of the queues, subjects or patterns it may use. Nothing listed, nothing allowed.
 */
public record Permissions(Map<Action, List<String>> allowed) {

    /** The verbs permissions are given for. */
    public enum Action {
        /** SEND to a queue (and open it). */
        SEND,
        /** FETCH, ACK, NACK, RELEASE, EXTEND and STATS on a queue (and open it). */
        CONSUME,
        /** PUBLISH to a subject. */
        PUBLISH,
        /** SUBSCRIBE and DURABLE with a pattern. */
        SUBSCRIBE,
        /** SERVE a subject. */
        SERVE,
        /** CALL a subject. */
        CALL
    }

    /** Everything on every name: for a server without users. */
    public static final Permissions ALL;

    static {
        Map<Action, List<String>> all = new EnumMap<>(Action.class);
        for (Action a : Action.values()) all.put(a, List.of(">"));
        ALL = new Permissions(all);
    }

    public Permissions {
        Map<Action, List<String>> copy = new EnumMap<>(Action.class);
        allowed.forEach((action, patterns) -> {
            for (String p : patterns) Subjects.checkPattern(p);
            copy.put(action, List.copyOf(patterns));
        });
        allowed = Map.copyOf(copy);
    }

    /**
     * Whether {@code action} is allowed on {@code name}, a queue or subject, or a pattern: a pattern
     * is allowed only if a permission covers every subject it can match.
     */
    public boolean allows(Action action, String name) {
        for (String p : allowed.getOrDefault(action, List.of())) {
            if (covers(p, name)) return true;
        }
        return false;
    }

    /** Whether every subject {@code pattern} matches also matches {@code permission}. */
    static boolean covers(String permission, String pattern) {
        String[] perm = permission.split("\\.", -1);
        String[] pat = pattern.split("\\.", -1);
        for (int i = 0; i < perm.length; i++) {
            if (perm[i].equals(">")) return i < pat.length; // the rest: at least one more token
            if (i >= pat.length) return false;
            if (pat[i].equals(">")) return false; // the pattern reaches further than this permission
            if (perm[i].equals("*")) continue;
            if (!perm[i].equals(pat[i])) return false; // includes a '*' in the pattern against a literal
        }
        return perm.length == pat.length;
    }
}
