package dev.metastream.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.charts.ChartLibrary;
import dev.metastream.data.Scenario;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code evaluate --html FILE}: one self-contained HTML page of a run's figures, which opens offline: the charting
 * library (Apache ECharts, {@link ChartLibrary}) and the data (JSON) are inlined. It draws the accuracy matrix as a
 * heatmap (with the untrained row {@code b}), the prequential curve with the true change points and the detections
 * (found ones and false alarms told apart), the anytime-accuracy curve, each task's adaptation curve (mean
 * prequential figure over its first k examples) with the few-shot summary, and the run beside the trivial baselines;
 * and it lists the headline and per-task figures. A figure the run did not measure gets a sentence saying so instead
 * of an empty chart.
 *
 * <pre>{@code
 * EvaluationResult r = new Evaluator().run(scenario, options, Evaluator.Progress.NONE);
 * HtmlReport.write(r, scenario, Path.of("report.html"));
 * }</pre>
 */
public final class HtmlReport {
    private static final String TEMPLATE = "report.html";
    private static final String DATA_MARK = "/*METASTREAM_DATA*/";
    private static final String LIBRARY_MARK = "/*METASTREAM_CHARTS*/";

    private HtmlReport() {}

    /**
     * Writes the report.
     *
     * @param r        the run's figures
     * @param scenario the scenario it ran (to place change points and detections, which are per-task positions, on
     *                 the stream's axis); null draws the curve without them
     * @param file     where to write (parent directories are created)
     */
    public static void write(EvaluationResult r, Scenario scenario, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(r, scenario), StandardCharsets.UTF_8);
    }

    /**
     * The report as one HTML document.
     *
     * @param r        the run's figures
     * @param scenario the scenario it ran, or null
     */
    public static String render(EvaluationResult r, Scenario scenario) {
        String template = template();
        int data = template.indexOf(DATA_MARK);
        int lib = template.indexOf(LIBRARY_MARK);
        if (data < 0 || lib < 0 || lib > data) {
            throw new IllegalStateException(TEMPLATE + " lost its markers");
        }
        // Assembled by position, not by replace(): neither the data nor the library may be read as a marker.
        return template.substring(0, lib) + ChartLibrary.bundleText()
                + template.substring(lib + LIBRARY_MARK.length(), data) + json(data(r, scenario))
                + template.substring(data + DATA_MARK.length());
    }

    /** The figures the page draws, as one JSON tree (snake_case, as the {@code --json} output). */
    static ObjectNode data(EvaluationResult r, Scenario scenario) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode d = m.createObjectNode();
        d.put("strategy", r.strategy());
        d.put("scenario", r.scenario());
        d.put("mode", r.mode());
        d.put("seed", r.seed());
        d.put("metric", r.metric());
        d.put("config_digest", r.config() == null ? null : r.config().digest());
        d.put("examples", r.examples());
        d.put("seconds", r.seconds());
        d.put("chart_library", "Apache ECharts " + ChartLibrary.version());
        ObjectNode head = d.putObject("headline");
        head.put("acc", r.acc());
        head.put("bwt", r.bwt());
        head.put("fwt", r.fwt());
        head.put("forgetting", r.forgetting());
        head.put("anytime", r.anytime() == null ? null : r.anytime().mean());
        head.put("prequential", r.prequential() == null ? null : r.prequential().cumulative());
        d.set("tasks", m.valueToTree(r.tasks()));
        d.set("matrix", finite(m, r.matrix()));
        d.set("matrix_rows", r.matrixRows() == null ? null : m.valueToTree(r.matrixRows()));
        ArrayNode baseline = d.putArray("baseline");
        if (r.baseline() != null) {
            for (double v : r.baseline()) {
                add(baseline, v);
            }
        }
        if (r.prequential() != null) {
            ObjectNode p = d.putObject("prequential");
            p.put("metric", r.prequential().metric());
            p.put("window", r.prequential().window());
            ArrayNode curve = p.putArray("curve");
            for (EvaluationResult.CurvePoint c : r.prequential().curve()) {
                ArrayNode pt = curve.addArray();
                pt.add(c.examples());
                add(pt, c.cumulative());
                add(pt, c.windowed());
            }
        }
        drift(d, r, scenario);
        ArrayNode anytime = d.putArray("anytime");
        if (r.anytime() != null) {
            for (EvaluationResult.Point pt : r.anytime().curve()) {
                ArrayNode a = anytime.addArray();
                a.add(pt.examples());
                add(a, pt.value());
            }
        }
        ArrayNode adaptation = d.putArray("adaptation_curves");
        ArrayNode perTask = d.putArray("per_task");
        for (EvaluationResult.TaskFigures t : r.perTask()) {
            if (t.efficiency() != null && !t.efficiency().isEmpty()) {
                ObjectNode a = adaptation.addObject();
                a.put("task", t.task());
                ArrayNode pts = a.putArray("points");
                t.efficiency().forEach((k, v) -> {
                    ArrayNode pt = pts.addArray();
                    pt.add(Long.parseLong(k));
                    add(pt, v == null ? Double.NaN : v);
                });
            }
            ObjectNode row = perTask.addObject();
            row.put("task", t.task());
            row.put("train", t.trainExamples());
            row.put("test", t.testExamples());
            row.put("final", nullable(t.finalValue()));
            row.put("just_after", nullable(t.justAfter()));
            row.put("forgetting", nullable(t.forgetting()));
            row.put("prequential", nullable(t.prequential()));
            row.put("adaptation_time", t.adaptationTime());
            row.put("few_shot", nullable(t.fewShot()));
        }
        if (r.adaptation() != null) {
            d.set("adaptation", m.valueToTree(r.adaptation()));
        }
        if (r.baselines() != null) {
            EvaluationResult.Baselines b = r.baselines();
            ObjectNode bn = d.putObject("baselines");
            bn.put("headline", b.headline());
            bn.put("best_trivial", b.bestTrivial());
            bn.put("margin_vs_best_trivial", b.marginVsBestTrivial());
            bn.put("margin_vs_linear", b.marginVsLinear());
            ObjectNode figures = bn.putObject("figures");
            figures.set("product (" + r.strategy() + ")", m.valueToTree(b.product()));
            b.figures().forEach((name, f) -> figures.set(name, m.valueToTree(f)));
        }
        return d;
    }

    /**
     * The true change points and the detections on the stream's axis (training examples fed so far, as the
     * prequential curve's), each also with its task and per-task position.
     */
    private static void drift(ObjectNode d, EvaluationResult r, Scenario scenario) {
        if (r.drift() == null) {
            return;
        }
        ObjectNode dn = d.putObject("drift");
        dn.put("change_points", r.drift().changePoints());
        dn.put("found", r.drift().found().size());
        dn.put("missed", r.drift().missed());
        dn.put("false_alarms", r.drift().falseAlarms());
        dn.put("mean_delay", r.drift().meanDelay());
        dn.put("max_delay", r.drift().maxDelay());
        if (scenario == null) {
            return;
        }
        Map<String, long[]> at = streamPositions(scenario);
        ArrayNode cps = dn.putArray("true_changes");
        for (Scenario.ChangePoint cp : scenario.changePoints()) {
            long x = at(at, cp.task(), cp.position());
            if (x >= 0) {
                ObjectNode n = cps.addObject();
                n.put("task", cp.task());
                n.put("position", cp.position());
                n.put("x", x + 1);
            }
        }
        Set<String> found = new HashSet<>();
        for (DriftMatching.Found f : r.drift().found()) {
            found.add(f.task() + "@" + f.detection());
        }
        ArrayNode dets = dn.putArray("detections");
        for (Outcomes.Detection det : r.drift().detections()) {
            // A detection's position counts the task's scored examples, so the example that triggered it is one less.
            long x = at(at, det.task(), det.position() - 1);
            if (x >= 0) {
                ObjectNode n = dets.addObject();
                n.put("task", det.task());
                n.put("position", det.position());
                n.put("x", x + 1);
                n.put("found", found.contains(det.task() + "@" + det.position()));
            }
        }
    }

    /** For each task, the stream index of each of its training examples. */
    private static Map<String, long[]> streamPositions(Scenario scenario) {
        Map<String, long[]> at = new HashMap<>();
        List<Scenario.TaskData> tasks = scenario.tasks();
        for (Scenario.TaskData t : tasks) {
            at.put(t.task(), new long[t.train().size()]);
        }
        long i = 0;
        for (Scenario.Position p : scenario.trainOrder()) {
            at.get(tasks.get(p.task()).task())[p.index()] = i++;
        }
        return at;
    }

    private static long at(Map<String, long[]> at, String task, long position) {
        long[] xs = at.get(task);
        if (xs == null || xs.length == 0) {
            return -1;
        }
        return xs[(int) Math.max(0, Math.min(xs.length - 1, position))];
    }

    private static ArrayNode finite(ObjectMapper m, double[][] matrix) {
        if (matrix == null) {
            return null;
        }
        ArrayNode rows = m.createArrayNode();
        for (double[] row : matrix) {
            ArrayNode a = rows.addArray();
            for (double v : row) {
                add(a, v);
            }
        }
        return rows;
    }

    private static void add(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
    }

    private static Double nullable(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }

    /**
     * The data as JSON safe inside a {@code <script>} element: every {@code <} is written {@code \u003c}, so no task
     * id or setting can close the element or open a comment.
     */
    private static String json(ObjectNode data) {
        try {
            return new ObjectMapper().writeValueAsString(data).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String template() {
        try (InputStream in = HtmlReport.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException(TEMPLATE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
