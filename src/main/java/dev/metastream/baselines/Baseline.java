package dev.metastream.baselines;

import dev.metastream.learn.Instance;

/**
 * A baseline predictor of a labelled stream, used test-then-train: {@link #predictOne} is called on each example
 * before {@link #learnOne} learns it (the prequential protocol, Dawid 1984; the face of River's
 * {@code predict_one} / {@code learn_one}).
 *
 * <p>Predictions are encoded as the learner's outputs for the task kind, so the same metrics score both: a class
 * probability vector of length {@code classes} (classification), {@code {p(1)}} (binary), {@code {value}}
 * (regression). Targets are read as the learner reads them: one-hot, {@code {0|1}}, {@code {value}}.
 *
 * <p>{@code item} is the example's item key when the stream has one (recommendation streams, see
 * {@code data.Scenario#item}), else null; only the baselines that need it read it.
 */
public interface Baseline {
    /** Short name, as reported ({@code no-change}, {@code majority}, ...). */
    String name();

    /** The prediction for {@code in}, made before it is learned; does not change the state. */
    float[] predictOne(Instance in, String item);

    /** Learns the labelled example {@code in}. */
    void learnOne(Instance in, String item);
}
