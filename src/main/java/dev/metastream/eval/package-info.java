/**
 * Prequential (test-then-train) evaluation: {@link dev.metastream.eval.PrequentialMetrics} keeps
 * cumulative and sliding-window metrics per task in constant memory and serialises them to bytes.
 * Kafka-free and independent of the learner packages.
 */
package dev.metastream.eval;
