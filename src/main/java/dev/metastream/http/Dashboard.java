package dev.metastream.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.metastream.charts.ChartLibrary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The live dashboard the HTTP API serves at {@code /}: one page ({@code dashboard.html}, a resource beside this class)
 * that polls two JSON endpoints every two seconds and draws with Apache ECharts ({@link ChartLibrary}).
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><th>route</th><th>answer</th><th>token</th></tr>
 *   <tr><td>{@code GET /}</td><td>the page (it holds no data)</td><td>no</td></tr>
 *   <tr><td>{@code GET /dashboard/echarts.min.js}</td><td>the charting library from its WebJar</td><td>no</td></tr>
 *   <tr><td>{@code GET /dashboard/summary?q=&limit=}</td><td>totals, shared-model version, dead letters by reason,
 *       throughput and lag samples, and the busiest tasks whose id contains {@code q}
 *       ({@link DashboardHistory#summary})</td><td>yes</td></tr>
 *   <tr><td>{@code GET /dashboard/curves?tasks=a,b}</td><td>the prequential curves and drift events of up to
 *       {@value #MAX_CURVES} tasks ({@link DashboardHistory#curves})</td><td>yes</td></tr>
 * </table>
 *
 * <p>The page and the library are open so a browser can load them; the page asks for the token when a data endpoint
 * answers 401 and keeps it in the browser's local storage (or takes it from {@code #token=...} in the address, which
 * browsers never send to the server).
 */
public final class Dashboard {
    /** Most tasks whose curves one request returns. */
    public static final int MAX_CURVES = 20;
    /** Most tasks one summary lists. */
    public static final int MAX_LIST = 500;
    private static final String PAGE = "dashboard.html";

    private final DashboardHistory history = new DashboardHistory();
    private final Supplier<KafkaStreams> streams;
    private final MeterRegistry registry;
    private final ObjectMapper mapper = new ObjectMapper();
    private final byte[] page;
    private double lastScored = Double.NaN;
    private long lastSampleMs;

    /**
     * @param streams  the instance's streams client (null until attached), for consumer lag
     * @param registry the instance's meters, for its throughput and shared-model version
     */
    public Dashboard(Supplier<KafkaStreams> streams, MeterRegistry registry) {
        this.streams = streams;
        this.registry = registry;
        try (InputStream in = Dashboard.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the jar");
            }
            this.page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the page shows. */
    public DashboardHistory history() {
        return history;
    }

    /** Whether a path is one of the dashboard's routes that need no token (the page and the library). */
    static boolean isOpen(String path) {
        return path.equals("/") || path.equals("/dashboard/echarts.min.js");
    }

    /** Whether a path is one of the dashboard's data routes. */
    static boolean isData(String path) {
        return path.equals("/dashboard/summary") || path.equals("/dashboard/curves");
    }

    /**
     * Answers one of the dashboard's routes (GET or HEAD; the caller checked the method and, for data, the token).
     *
     * @return the HTTP status sent
     */
    int handle(HttpExchange ex, String path) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        switch (path) {
            case "/" -> {
                return send(ex, "text/html; charset=utf-8", page);
            }
            case "/dashboard/echarts.min.js" -> {
                ex.getResponseHeaders().set("Cache-Control", "max-age=86400");
                return send(ex, "text/javascript; charset=utf-8", ChartLibrary.bundle());
            }
            case "/dashboard/summary" -> {
                int limit = 50;
                try {
                    limit = Math.max(1, Math.min(MAX_LIST, Integer.parseInt(q.getOrDefault("limit", "50"))));
                } catch (NumberFormatException e) {
                    // a malformed limit falls back to the default: the page never sends one
                }
                ObjectNode s = history.summary(q.getOrDefault("q", ""), limit);
                s.put("now", System.currentTimeMillis());
                return send(ex, "application/json", mapper.writeValueAsBytes(s));
            }
            default -> {
                List<String> ids = new ArrayList<>();
                for (String id : q.getOrDefault("tasks", "").split(",")) {
                    if (!id.isEmpty() && ids.size() < MAX_CURVES && !ids.contains(id)) {
                        ids.add(id);
                    }
                }
                return send(ex, "application/json", mapper.writeValueAsBytes(history.curves(ids)));
            }
        }
    }

    /**
     * Samples this instance's throughput (examples scored per second since the last sample, from
     * {@code metastream.examples.scored}), its consumer lag and its shared-model version into the history. Called by
     * the {@link DashboardFeed} thread.
     */
    void sample(long now) {
        double scored = 0;
        for (Counter c : registry.find("metastream.examples.scored").counters()) {
            scored += c.count();
        }
        double rate = Double.isNaN(lastScored) || now <= lastSampleMs ? Double.NaN
                : (scored - lastScored) * 1000.0 / (now - lastSampleMs);
        lastScored = scored;
        lastSampleMs = now;
        Gauge meta = registry.find("metastream.meta.version").gauge();
        history.sample(now, rate, lag(streams.get()), meta == null ? -1 : (long) meta.value());
    }

    /**
     * Records behind on this instance's input partitions: the sum of the main consumers' {@code records-lag} per
     * partition (not the restore or global consumers'); NaN while there is no client or no figure yet.
     */
    static double lag(KafkaStreams s) {
        if (s == null) {
            return Double.NaN;
        }
        double sum = 0;
        boolean any = false;
        for (Map.Entry<MetricName, ? extends Metric> e : s.metrics().entrySet()) {
            MetricName n = e.getKey();
            String client = n.tags().getOrDefault("client-id", "");
            if (!n.name().equals("records-lag") || !n.group().equals("consumer-fetch-manager-metrics")
                    || !n.tags().containsKey("partition") || !client.contains("StreamThread")
                    || !client.endsWith("-consumer") || client.endsWith("restore-consumer")) {
                continue;
            }
            Object v = e.getValue().metricValue();
            if (v instanceof Number num && Double.isFinite(num.doubleValue())) {
                sum += num.doubleValue();
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    private static int send(HttpExchange ex, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(200, head ? -1 : body.length);
        if (!head) {
            ex.getResponseBody().write(body);
        }
        return 200;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            m.putIfAbsent(k, v);
        }
        return m;
    }
}
