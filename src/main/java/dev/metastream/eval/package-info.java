/**
 * Evaluation metrics, Kafka-free and independent of the learner packages. Streaming metrics behind one small
 * {@link dev.metastream.eval.StreamingMetric} face: {@link dev.metastream.eval.ConfusionMatrix} (accuracy,
 * precision/recall/F1 per class, micro and macro, Cohen's kappa), {@link dev.metastream.eval.RocAuc},
 * {@link dev.metastream.eval.RegressionMetrics}, {@link dev.metastream.eval.MultiLabelMetrics},
 * {@link dev.metastream.eval.AnytimeAccuracy}, {@link dev.metastream.eval.AdaptationCurve}; the per-task prequential
 * metrics the learner publishes ({@link dev.metastream.eval.PrequentialMetrics}, cumulative and sliding-window, with
 * a binary state); and the end-of-run comparisons {@link dev.metastream.eval.AccuracyMatrix} (ACC/BWT/FWT/forgetting)
 * and {@link dev.metastream.eval.TransferComparison}. Every formula is also listed in {@code docs/metrics.md}.
 */
package dev.metastream.eval;
