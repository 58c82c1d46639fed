package io.baton.server;

import io.baton.AuthenticationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may connect, and with what permissions: users with passwords and holders of tokens, their
 * secrets stored hashed ({@link Secrets}). A server with neither lets every connection in with
 * every permission (and then listens only on loopback unless told it is insecure); a server with
 * any refuses a HELLO without valid credentials.
 */
public final class Authenticator {
    /** Lets everyone in with every permission. */
    public static final Authenticator OPEN = new Authenticator(List.of(), List.of());

    /** A user: its name, its password as stored by {@link Secrets#hashPassword}, its permissions. */
    public record User(String name, String passwordHash, Permissions permissions) {
        public User {
            Secrets.checkFormat(passwordHash, "the password of user '" + name + "'");
        }
    }

    /** A token holder: a name for logs, the token as stored by {@link Secrets#hashToken}, its permissions. */
    public record Token(String name, String tokenHash, Permissions permissions) {
        public Token {
            if (!tokenHash.startsWith("sha256:")) throw new IllegalArgumentException("the token of '" + name + "' must be stored as 'sha256:HEX' (make one with 'baton passwd --token')");
            Secrets.checkFormat(tokenHash, "the token of '" + name + "'");
        }
    }

    /** Who a connection is. */
    public record Identity(String name, Permissions permissions) {
        static final Identity ANONYMOUS = new Identity("anonymous", Permissions.ALL);
    }

    private final Map<String, User> users = new HashMap<>();
    private final Map<String, Token> tokens = new HashMap<>();
    /** Checked for unknown users too, so that a wrong name takes as long as a wrong password. */
    private final String decoy = Secrets.hashPassword(Secrets.newToken());

    public Authenticator(List<User> users, List<Token> tokens) {
        for (User u : users) {
            if (this.users.put(u.name(), u) != null) throw new IllegalArgumentException("user '" + u.name() + "' is listed twice");
        }
        for (Token t : tokens) {
            if (this.tokens.put(t.tokenHash(), t) != null) throw new IllegalArgumentException("token '" + t.name() + "' is listed twice");
        }
    }

    /** Whether connections must log in. */
    public boolean required() {
        return !users.isEmpty() || !tokens.isEmpty();
    }

    /**
     * The identity of a HELLO's credentials (method 0 none, 1 token, 2 user and password). Slow on
     * purpose for passwords: call it off the I/O thread.
     *
     * @throws AuthenticationException if they are missing or wrong; the message never holds a secret
     */
    Identity authenticate(int method, String token, String user, String password) {
        if (!required()) return Identity.ANONYMOUS;
        switch (method) {
            case 1 -> {
                Token t = tokens.get(Secrets.hashToken(token));
                if (t != null) return new Identity(t.name(), t.permissions());
                throw new AuthenticationException("unknown token");
            }
            case 2 -> {
                User u = users.get(user);
                boolean ok = Secrets.matches(u == null ? decoy : u.passwordHash(), password);
                if (u != null && ok) return new Identity(u.name(), u.permissions());
                throw new AuthenticationException("wrong user or password for '" + user + "'");
            }
            default -> throw new AuthenticationException("this server requires a token or a user and password");
        }
    }
}
