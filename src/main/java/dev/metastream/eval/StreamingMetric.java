package dev.metastream.eval;

import java.util.Map;

/**
 * The small common face of the updatable streaming metrics in this package (after River's {@code Metric}): each one
 * is fed one example at a time through its own {@code update} method and read at any time through {@link #values()}.
 *
 * <p>Conventions shared by every implementation: {@link #values()} is empty before the first update, its key set does
 * not change once non-empty, reading never changes the state, and the same updates give the same values.
 *
 * <pre>{@code
 * ConfusionMatrix cm = new ConfusionMatrix(3);
 * cm.update(2, 1);
 * Map<String, Double> now = cm.values();   // {accuracy=0.0, precision_macro=0.0, ...}
 * }</pre>
 */
public interface StreamingMetric {

    /** @return the number of updates (examples, or samples for {@link AnytimeAccuracy}) taken in */
    long count();

    /** @return metric name to value, insertion-ordered; empty before the first update */
    Map<String, Double> values();
}
