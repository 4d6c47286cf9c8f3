package dev.metastream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.drift.DetectorComparison;
import dev.metastream.drift.DriftDetector;
import dev.metastream.drift.DriftDetectors;
import dev.metastream.learn.LearnerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code metastream detectors}: every registered drift detector on the same seeded Bernoulli error streams with
 * abrupt changes ({@link DetectorComparison}), each configured as the learner would run it (the {@code drift.*}
 * defaults, e.g. {@code drift.adwin.clock=1}, and any {@code --set}). Prints one row per detector and scenario: rises
 * found within the maximum delay, misses, falls found, mean and median delay, false alarms per 10,000 values.
 */
@Command(name = "detectors", mixinStandardHelpOptions = true,
        description = "Compare the drift detectors on seeded Bernoulli error streams with abrupt changes.")
public final class DetectorsCommand implements Callable<Integer> {
    @Option(names = "--streams", defaultValue = "100", description = "Streams per scenario (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the streams (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-delay", defaultValue = "1000",
            description = "Longest delay that still finds a change (default: ${DEFAULT-VALUE}).")
    int maxDelay;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A drift detector parameter over the learner's "
            + "default (repeatable), e.g. --set drift.hddm-w.lambda=0.1.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--json", description = "Also write the results to this JSON file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (streams < 1 || maxDelay < 1) {
            System.err.println("--streams and --max-delay must be at least 1");
            return 2;
        }
        Map<String, Supplier<DriftDetector>> detectors = new LinkedHashMap<>();
        Map<String, Map<String, String>> params = new LinkedHashMap<>();
        for (String name : DriftDetectors.names()) {
            Properties p = new Properties();
            for (String s : sets) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    System.err.println("--set expects KEY=VALUE, got '" + s + "'");
                    return 2;
                }
                p.setProperty(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
            }
            p.setProperty("drift.detector", name);
            // The learner's reading of the drift keys: its defaults (drift.adwin.clock=1) and the --set values.
            Map<String, String> learner = LearnerConfig.from(p).drift().params();
            params.put(name, learner);
            detectors.put(name, () -> DriftDetectors.create(name, learner));
        }
        long start = System.nanoTime();
        List<DetectorComparison.Result> results = DetectorComparison.run(DetectorComparison.SCENARIOS, detectors,
                streams, seed, maxDelay);
        double seconds = (System.nanoTime() - start) / 1e9;

        System.out.printf(Locale.ROOT, "%d streams of Bernoulli errors per scenario, seed %d, a find within %d values%n",
                streams, seed, maxDelay);
        System.out.printf(Locale.ROOT, "%-12s %-10s %12s %7s %12s %10s %12s %12s%n", "detector", "scenario",
                "rises found", "missed", "falls found", "mean delay", "median delay", "FA / 10,000");
        for (DetectorComparison.Result r : results) {
            System.out.printf(Locale.ROOT, "%-12s %-10s %12s %7d %12s %10s %12s %12.2f%n", r.detector(), r.scenario(),
                    r.risesFound() + "/" + r.rises(), r.risesMissed(), r.fallsFound() + "/" + r.falls(),
                    fmt(r.meanDelay()), fmt(r.medianDelay()), r.falseAlarmsPer10k());
        }
        System.out.printf(Locale.ROOT, "(%.1f s)%n", seconds);

        if (json != null) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode n = m.createObjectNode();
            n.put("streams", streams).put("seed", seed).put("max_delay", maxDelay);
            ArrayNode scenarios = n.putArray("scenarios");
            for (DetectorComparison.Scenario s : DetectorComparison.SCENARIOS) {
                scenarios.addObject().put("name", s.name()).put("low", s.low()).put("high", s.high())
                        .put("length", s.length()).put("period", s.period());
            }
            ObjectNode ps = n.putObject("params");
            params.forEach((name, p) -> {
                ObjectNode o = ps.putObject(name);
                p.forEach(o::put);
            });
            ArrayNode rows = n.putArray("results");
            for (DetectorComparison.Result r : results) {
                ObjectNode o = rows.addObject();
                o.put("detector", r.detector()).put("scenario", r.scenario()).put("rises", r.rises())
                        .put("rises_found", r.risesFound()).put("rises_missed", r.risesMissed())
                        .put("falls", r.falls()).put("falls_found", r.fallsFound())
                        .put("false_alarms", r.falseAlarms()).put("false_alarms_per_10k", r.falseAlarmsPer10k());
                putNumber(o, "mean_delay", r.meanDelay());
                putNumber(o, "median_delay", r.medianDelay());
            }
            m.writeValue(json.toFile(), n);
            System.out.println("wrote " + json);
        }
        return 0;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }
}
