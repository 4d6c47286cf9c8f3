/**
 * Label-free domain-shift monitoring: {@link dev.metastream.shift.ShiftMonitor} compares a task's
 * recent inputs, predictions and labels with a reference window and reports
 * ({@link dev.metastream.shift.ShiftReport}) which signals and features moved. Where the
 * {@code drift} package watches the prequential error, and so sees a shift only once labels arrive,
 * this one needs no labels. Pure math, Kafka-free, bounded state serialised to bytes.
 *
 * <p>Building blocks, one per file, on histograms: {@link dev.metastream.shift.KolmogorovSmirnov},
 * {@link dev.metastream.shift.ChiSquareTest}, {@link dev.metastream.shift.Wasserstein},
 * {@link dev.metastream.shift.PopulationStability}, {@link dev.metastream.shift.JensenShannon}; the
 * multivariate {@link dev.metastream.shift.FourierMmd}; special functions in
 * {@link dev.metastream.shift.Distributions}.
 */
package dev.metastream.shift;
