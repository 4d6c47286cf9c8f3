package dev.metastream.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <token>} (RFC 6750) against the configured token in constant time: both sides are
 * hashed with SHA-256 and compared with {@link MessageDigest#isEqual}, so neither the token's length nor the position
 * of the first differing character shows in the response time. The token itself is never kept in a form that
 * {@link #toString()} or a log line could print.
 *
 * <pre>{@code
 * BearerAuth auth = new BearerAuth(settings.token());
 * if (!auth.allows(exchange.getRequestHeaders().getFirst("Authorization"))) { ... 401 ... }
 * }</pre>
 */
final class BearerAuth {
    private static final String SCHEME = "bearer ";
    private final byte[] expected;

    /** @param token the required token, or empty for none */
    BearerAuth(String token) {
        this.expected = token.isEmpty() ? null : sha256(token);
    }

    /** Whether a token is required. */
    boolean required() {
        return expected != null;
    }

    /** Whether a request with this {@code Authorization} header value (may be null) is allowed. */
    boolean allows(String authorization) {
        if (expected == null) {
            return true;
        }
        if (authorization == null || authorization.length() < SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        return MessageDigest.isEqual(expected, sha256(authorization.substring(SCHEME.length()).trim()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }

    @Override
    public String toString() {
        return expected == null ? "BearerAuth[none]" : "BearerAuth[token set]";
    }
}
