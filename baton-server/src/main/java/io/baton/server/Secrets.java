package io.baton.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * How the server stores secrets in its config file: never in the clear.
 * <ul>
 *   <li>passwords: {@code pbkdf2-sha256:ITERATIONS:SALT:HASH} (PBKDF2 with HMAC-SHA256, 210,000
 *       iterations, a random 16-byte salt, a 32-byte hash; salt and hash in base64), slow on
 *       purpose, because people choose guessable passwords;</li>
 *   <li>tokens: {@code sha256:HEX}, fast, because a token is a long random string (make one with
 *       {@link #newToken()}) and nobody can guess it from its hash.</li>
 * </ul>
 * Checks compare in constant time.
 */
public final class Secrets {
    static final int ITERATIONS = 210_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** The stored form of a password. */
    public static String hashPassword(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2-sha256:" + ITERATIONS + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                + Base64.getEncoder().encodeToString(pbkdf2(password, salt, ITERATIONS));
    }

    /** The stored form of a token. */
    public static String hashToken(String token) {
        return "sha256:" + HexFormat.of().formatHex(sha256(token));
    }

    /** A new random token: 32 bytes, base64url. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Whether {@code given} is the secret {@code stored} was made from.
     *
     * @throws IllegalArgumentException if {@code stored} is in neither format (a config error)
     */
    public static boolean matches(String stored, String given) {
        if (stored.startsWith("sha256:")) {
            byte[] expected = HexFormat.of().parseHex(stored.substring("sha256:".length()));
            return MessageDigest.isEqual(expected, sha256(given));
        }
        String[] parts = stored.split(":");
        if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
            throw new IllegalArgumentException("a stored secret must be 'pbkdf2-sha256:ITERATIONS:SALT:HASH' or 'sha256:HEX' "
                    + "(make one with 'baton passwd'); it is never the secret itself");
        }
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        return MessageDigest.isEqual(expected, pbkdf2(given, salt, iterations));
    }

    /** Checks that {@code stored} is a stored secret, not a secret in the clear: for reading config files. */
    static void checkFormat(String stored, String what) {
        try {
            if (stored.startsWith("sha256:")) {
                if (HexFormat.of().parseHex(stored.substring(7)).length == 32) return;
            } else {
                String[] parts = stored.split(":");
                if (parts.length == 4 && parts[0].equals("pbkdf2-sha256") && Integer.parseInt(parts[1]) >= 10_000
                        && Base64.getDecoder().decode(parts[2]).length >= 8 && Base64.getDecoder().decode(parts[3]).length >= 16) {
                    return;
                }
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException(what + " is not a hashed secret: expected 'pbkdf2-sha256:ITERATIONS:SALT:HASH' "
                + "or 'sha256:HEX' (make one with 'baton passwd'); secrets in the clear are refused");
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no PBKDF2WithHmacSHA256", e);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }
}
