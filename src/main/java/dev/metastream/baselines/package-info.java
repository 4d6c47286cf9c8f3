/**
 * Trivial and simple baselines scored on the same prequential stream as the learner, so every figure the evaluation
 * reports can be read against what a one-line rule would get. Kafka-free and independent of the learner's internals:
 * each baseline is one small class behind {@link dev.metastream.baselines.Baseline} (River's predict-then-learn face,
 * {@code predict_one} / {@code learn_one}); {@link dev.metastream.baselines.Baselines} lists the ones that apply to a
 * task kind. The evaluation ({@code evaluation.BaselineFigures}) feeds them every training example in the order it
 * feeds the learner.
 */
package dev.metastream.baselines;
