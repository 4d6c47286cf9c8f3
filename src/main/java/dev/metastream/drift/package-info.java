/**
 * Concept-drift detectors behind the one small {@link dev.metastream.drift.DriftDetector}
 * interface: {@link dev.metastream.drift.Adwin}, {@link dev.metastream.drift.PageHinkley} and
 * {@link dev.metastream.drift.NoDrift}. Kafka-free; every detector serialises its full state to
 * bytes so it can be persisted per task between records.
 */
package dev.metastream.drift;
