/**
 * Gradient transforms: rewrites of a gradient between its computation and the optimiser's step, behind the one small
 * {@link dev.metastream.optim.GradientTransform} interface (as Optax chains them), one algorithm per file:
 * {@link dev.metastream.optim.MetaSgd}, per-parameter learning rates learned by hypergradient descent. Kafka-free and
 * free of the learner's types: a transform reads and writes flat float arrays the caller owns and persists (the
 * shared, meta-learned part in the shared model, the per-stream part per task).
 */
package dev.metastream.optim;
