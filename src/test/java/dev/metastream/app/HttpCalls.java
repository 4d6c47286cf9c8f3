package dev.metastream.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small HTTP client for the API tests: one call, its status, headers and body. */
final class HttpCalls {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token;

    /** @param token the bearer token to send, or null for none */
    HttpCalls(String token) {
        this.token = token;
    }

    HttpCalls withToken(String other) {
        return new HttpCalls(other);
    }

    HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return client.send(request(port, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(int port, String path, String body) throws IOException, InterruptedException {
        return client.send(request(port, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(int port, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }
}
