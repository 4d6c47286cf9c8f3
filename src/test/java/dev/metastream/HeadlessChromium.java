package dev.metastream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the Chrome DevTools Protocol with the JDK's own WebSocket client (no
 * WebDriver, no extra dependency): open a page, evaluate JavaScript in it, wait for conditions, collect every console
 * error and uncaught exception, and take a screenshot.
 *
 * <p>The flags keep a machine without internet quiet (no background networking, component updates, sync or QUIC) and
 * each browser in a fresh profile. Tests skip themselves with {@link #available()} where {@value #BINARY} is absent.
 */
public final class HeadlessChromium implements AutoCloseable {
    /** The browser binary the tests use. */
    public static final String BINARY = "/usr/bin/chromium";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Whether Chromium is installed here. */
    public static boolean available() {
        return Files.isExecutable(Path.of(BINARY));
    }

    /**
     * Starts a browser on about:blank and attaches to its page.
     *
     * @param logDir where the browser's own output goes ({@code chromium.log})
     */
    public static HeadlessChromium start(Path logDir) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        Path profile = Files.createTempDirectory("metastream-chromium-");
        List<String> cmd = List.of(BINARY, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1400,1000", "about:blank");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logDir.resolve("chromium.log").toFile()).start();
        try {
            return new HeadlessChromium(p, profile);
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.destroyForcibly();
            deleteTree(profile);
            throw e;
        }
    }

    private HeadlessChromium(Process process, Path profile) throws IOException, InterruptedException {
        this.process = process;
        this.profile = profile;
        // Chromium writes its DevTools port into the profile once it listens.
        Path portFile = profile.resolve("DevToolsActivePort");
        awaitCondition(Duration.ofSeconds(60), "Chromium's DevToolsActivePort file",
                () -> Files.isRegularFile(portFile) && size(portFile) > 0 || !process.isAlive());
        if (!process.isAlive()) {
            throw new IllegalStateException("chromium exited with " + process.exitValue() + " (see chromium.log)");
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        HttpClient http = HttpClient.newHttpClient();
        String wsUrl = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (wsUrl == null && System.nanoTime() < deadline) {
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode t : MAPPER.readTree(list.body())) {
                if (t.path("type").asText().equals("page")) {
                    wsUrl = t.path("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (wsUrl == null) {
                Thread.sleep(100);
            }
        }
        if (wsUrl == null) {
            throw new IllegalStateException("Chromium shows no page target");
        }
        this.socket = http.newWebSocketBuilder().buildAsync(URI.create(wsUrl), new Listener()).join();
        call("Runtime.enable", null);
        call("Log.enable", null);
        call("Page.enable", null);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Receives CDP messages: answers complete their call, console and exception events are collected. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    message(MAPPER.readTree(text));
                } catch (IOException e) {
                    errors.add("unreadable DevTools message: " + e);
                }
            }
            ws.request(1);
            return null;
        }
    }

    private void message(JsonNode m) {
        if (m.has("id")) {
            CompletableFuture<JsonNode> f = calls.remove(m.get("id").asInt());
            if (f != null) {
                if (m.has("error")) {
                    f.completeExceptionally(new IllegalStateException("DevTools error: " + m.get("error")));
                } else {
                    f.complete(m.path("result"));
                }
            }
            return;
        }
        String method = m.path("method").asText();
        JsonNode p = m.path("params");
        switch (method) {
            case "Runtime.consoleAPICalled" -> {
                String type = p.path("type").asText();
                if (type.equals("error") || type.equals("assert")) {
                    StringBuilder sb = new StringBuilder("console." + type + ":");
                    p.path("args").forEach(a -> sb.append(' ').append(a.has("value") ? a.get("value").asText()
                            : a.path("description").asText()));
                    errors.add(sb.toString());
                }
            }
            case "Runtime.exceptionThrown" -> errors.add("uncaught: " + p.path("exceptionDetails").path("exception")
                    .path("description").asText(p.path("exceptionDetails").path("text").asText()));
            case "Log.entryAdded" -> {
                if (p.path("entry").path("level").asText().equals("error")) {
                    errors.add("log: " + p.path("entry").path("text").asText() + " "
                            + p.path("entry").path("url").asText(""));
                }
            }
            default -> { }
        }
    }

    /** Sends one DevTools command and waits for its answer (60 s at most). */
    public JsonNode call(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        ObjectNode msg = MAPPER.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", params == null ? MAPPER.createObjectNode() : params);
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        calls.put(id, f);
        socket.sendText(msg.toString(), true).join();
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(method + " failed: " + e, e);
        }
    }

    /** Opens a URL in the page (returns once navigation started; wait for what you need with {@link #await}). */
    public void open(String url) {
        ObjectNode p = MAPPER.createObjectNode();
        p.put("url", url);
        JsonNode r = call("Page.navigate", p);
        if (r.hasNonNull("errorText")) {
            throw new IllegalStateException("could not open " + url + ": " + r.get("errorText").asText());
        }
    }

    /** Evaluates a JavaScript expression in the page and returns its value as JSON (null when undefined). */
    public JsonNode eval(String expression) {
        ObjectNode p = MAPPER.createObjectNode();
        p.put("expression", expression);
        p.put("returnByValue", true);
        JsonNode r = call("Runtime.evaluate", p);
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException(expression + " threw: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /**
     * Waits until a JavaScript expression is true in the page, checking every 200 ms.
     *
     * @param timeout generous bound: the machine is shared and slow
     * @param what    what is awaited, for the failure message
     */
    public void await(String expression, Duration timeout, String what) throws InterruptedException {
        awaitCondition(timeout, what, () -> {
            try {
                return eval("Boolean(" + expression + ")").asBoolean();
            } catch (IllegalStateException e) {
                return false; // e.g. the page is still loading
            }
        });
    }

    /** Saves a PNG screenshot of the viewport. */
    public void screenshot(Path file) throws IOException {
        screenshot(file, false);
    }

    /** Saves a PNG screenshot of the viewport, or of the whole page when {@code fullPage}. */
    public void screenshot(Path file, boolean fullPage) throws IOException {
        ObjectNode p = MAPPER.createObjectNode();
        p.put("format", "png");
        if (fullPage) {
            JsonNode size = call("Page.getLayoutMetrics", null).path("cssContentSize");
            ObjectNode clip = p.putObject("clip");
            clip.put("x", 0);
            clip.put("y", 0);
            clip.put("width", size.path("width").asDouble());
            clip.put("height", size.path("height").asDouble());
            clip.put("scale", 1);
            p.put("captureBeyondViewport", true);
        }
        JsonNode r = call("Page.captureScreenshot", p);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(r.path("data").asText()));
    }

    /** Console errors, uncaught exceptions and error log entries seen so far. */
    public List<String> errors() {
        return new ArrayList<>(errors);
    }

    private static void awaitCondition(Duration timeout, String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the browser goes anyway
        }
        List<ProcessHandle> children = process.descendants().toList(); // before they lose their parent
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        deleteTree(profile);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
