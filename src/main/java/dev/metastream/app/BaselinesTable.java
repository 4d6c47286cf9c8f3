package dev.metastream.app;

import dev.metastream.evaluation.EvaluationResult;
import java.util.Locale;
import java.util.Map;

/** The {@code baselines} and {@code cold start} blocks of {@code evaluate}'s table (see docs/evaluation.md). */
final class BaselinesTable {
    private BaselinesTable() {}

    /** The blocks, or "" when the run has no baselines. */
    static String format(EvaluationResult r) {
        EvaluationResult.Baselines b = r.baselines();
        if (b == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        boolean rmse = b.headline().equals("rmse");
        sb.append(String.format(Locale.ROOT, "%nbaselines (prequential over the same training stream, same order;"
                + " %s; * = best trivial; %.1f s)%n", rmse ? "rmse, mae: lower is better" : "accuracy, kappa",
                b.seconds()));
        for (Map.Entry<String, Map<String, Double>> e : b.figures().entrySet()) {
            sb.append(line((e.getKey().equals(b.bestTrivial()) ? "* " : "  ") + e.getKey(), e.getValue()));
        }
        sb.append(line("  " + r.strategy() + " (product)", b.product()));
        sb.append(String.format(Locale.ROOT, "  margin %s: %s vs best trivial (%s), %s vs linear (positive = product"
                + " better)%n", b.headline(), signed(b.marginVsBestTrivial()), b.bestTrivial(),
                signed(b.marginVsLinear())));
        EvaluationResult.ColdStart c = r.coldStart();
        if (c != null) {
            sb.append(String.format(Locale.ROOT, "cold start: rmse over each task's first %d examples (%,d examples):"
                    + " product %s", c.events(), c.examples(), f(c.product())));
            c.baselines().forEach((k, v) -> sb.append(String.format(Locale.ROOT, ", %s %s", k, f(v))));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String line(String name, Map<String, Double> figures) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s", name));
        figures.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %s", k, f(v))));
        return sb.append('\n').toString();
    }

    private static String f(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String signed(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%+.4f", v);
    }
}
