/**
 * Concept-drift detectors behind the one small {@link dev.metastream.drift.DriftDetector}
 * interface, one algorithm per file: {@link dev.metastream.drift.PageHinkley},
 * {@link dev.metastream.drift.Adwin}, {@link dev.metastream.drift.Ddm},
 * {@link dev.metastream.drift.HddmA}, {@link dev.metastream.drift.HddmW},
 * {@link dev.metastream.drift.Kswin} and {@link dev.metastream.drift.NoDrift}, registered in
 * {@link dev.metastream.drift.DriftDetectors}; {@link dev.metastream.drift.DetectorComparison}
 * compares them on Bernoulli error streams. Kafka-free; every detector serialises its full state
 * to bytes so it can be persisted per task between records.
 */
package dev.metastream.drift;
