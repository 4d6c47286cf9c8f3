package dev.metastream.http;

import java.util.Map;
import java.util.Properties;

/**
 * The HTTP API's settings, read from the {@code http.*} keys and {@code metrics.top.tasks} (documented in
 * {@code config/application.properties}).
 *
 * @param port             port to listen on, or -1 when there is no HTTP server (0 = any free port)
 * @param bindAddress      address to listen on
 * @param token            bearer token required by every endpoint except liveness, or empty for none
 * @param threads          request threads
 * @param forwardTimeoutMs timeout of a request forwarded to the owning instance
 * @param topTasks         busiest tasks with their own gauges
 */
public record HttpSettings(int port, String bindAddress, String token, int threads, long forwardTimeoutMs,
                           int topTasks) {
    /** The environment variable the token is read from when {@code http.auth.token} is empty. */
    public static final String TOKEN_ENV = "METASTREAM_HTTP_TOKEN";

    /**
     * Reads the settings.
     *
     * @param p   the configuration
     * @param env the process environment (for {@value #TOKEN_ENV})
     * @throws IllegalArgumentException naming the key when a value is invalid
     */
    public static HttpSettings from(Properties p, Map<String, String> env) {
        String portText = p.getProperty("http.port", "").trim();
        int port = portText.isEmpty() ? -1 : number(p, "http.port", portText, 0, 65535);
        String token = p.getProperty("http.auth.token", "").trim();
        if (token.isEmpty()) {
            token = env.getOrDefault(TOKEN_ENV, "").trim();
        }
        return new HttpSettings(port, p.getProperty("http.bind.address", "0.0.0.0").trim(), token,
                number(p, "http.threads", p.getProperty("http.threads", "4").trim(), 1, 256),
                number(p, "http.forward.timeout.ms", p.getProperty("http.forward.timeout.ms", "5000").trim(), 1,
                        Integer.MAX_VALUE),
                number(p, "metrics.top.tasks", p.getProperty("metrics.top.tasks", "10").trim(), 0, 1000));
    }

    /** Whether an HTTP server runs. */
    public boolean enabled() {
        return port >= 0;
    }

    /** Whether requests need the bearer token. */
    public boolean authenticated() {
        return !token.isEmpty();
    }

    /** The same settings on another port (for {@code --http-port}). */
    public HttpSettings withPort(int newPort) {
        return new HttpSettings(newPort, bindAddress, token, threads, forwardTimeoutMs, topTasks);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "HttpSettings[port=" + port + ", bindAddress=" + bindAddress + ", token=" + (token.isEmpty() ? "none"
                : "(set)") + ", threads=" + threads + ", forwardTimeoutMs=" + forwardTimeoutMs + ", topTasks="
                + topTasks + "]";
    }

    private static int number(Properties p, String key, String text, int min, int max) {
        try {
            int v = Integer.parseInt(text);
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + text + " must be a whole number from " + min + " to " + max);
        }
    }
}
