package dev.metastream.shift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link ShiftMonitor} with its defaults on seeded synthetic streams. */
class ShiftMonitorTest {

    private static final ShiftMonitor.Settings DEFAULTS = ShiftMonitor.Settings.defaults();

    private static List<String> drifted(ShiftReport r) {
        return r.signals().stream().filter(Signal::drift).map(Signal::name).collect(Collectors.toList());
    }

    @Test
    void noFalseAlarmOnStationaryUniformInputs() {
        // d = 10, 20,000 examples, stationary 0/1 label (p = 0.3, half labelled) and predictions.
        for (long seed = 1; seed <= 6; seed++) {
            ShiftMonitor m = new ShiftMonitor(DEFAULTS, 10, 2, seed);
            List<ShiftReport> alarms = ShiftStreams.run(m, seed, 20_000, ShiftStreams.uniform(10), i -> 0.3);
            assertThat(alarms).as("seed %d", seed).isEmpty();
            ShiftReport last = m.latest();
            assertThat(last.position()).isEqualTo(20_000);
            assertThat(last.drift()).isFalse();
            assertThat(last.signals()).extracting(Signal::name)
                    .containsExactly(Signal.INPUTS, Signal.INPUTS_MMD, Signal.PREDICTION, Signal.LABEL);
            assertThat(last.signal(Signal.INPUTS).features()).hasSize(10)
                    .allSatisfy(f -> assertThat(f.test()).isEqualTo("ks"));
            Signal mmd = last.signal(Signal.INPUTS_MMD);
            assertThat(mmd.score()).isPositive().isLessThan(mmd.threshold());
        }
    }

    @Test
    void noFalseAlarmOnWideSparseInputs() {
        for (long seed = 1; seed <= 2; seed++) {
            ShiftMonitor m = new ShiftMonitor(DEFAULTS, 784, 2, seed);
            assertThat(ShiftStreams.run(m, seed, 20_000, ShiftStreams.wideSparse(), i -> 0.5)).as("seed %d", seed).isEmpty();
            Signal inputs = m.latest().signal(Signal.INPUTS);
            // 784 > maxFeatures: 100 groups of non-zero indicators, a chi-square each, 10 listed.
            assertThat(inputs.features()).hasSize(ShiftMonitor.REPORTED_FEATURES)
                    .allSatisfy(f -> assertThat(f.test()).isEqualTo("chi2"));
            assertThat(m.latest().signal(Signal.INPUTS_MMD)).isNotNull();
        }
    }

    @Test
    void noFalseAlarmOnDiscreteFeatures() {
        for (long seed = 1; seed <= 5; seed++) {
            ShiftMonitor m = new ShiftMonitor(DEFAULTS, 6, 2, seed);
            assertThat(ShiftStreams.run(m, seed, 20_000, ShiftStreams.discrete(), i -> 0.3)).as("seed %d", seed).isEmpty();
            List<FeatureShift> fs = m.latest().signal(Signal.INPUTS).features();
            // Three levels: categorical, chi-square; fifty levels: numeric, binned KS.
            assertThat(fs).filteredOn(f -> f.feature() < 3).extracting(FeatureShift::test).containsOnly("chi2");
            assertThat(fs).filteredOn(f -> f.feature() >= 3).extracting(FeatureShift::test).containsOnly("ks");
        }
    }

    @Test
    void detectsEachOfThreeInputShiftsWithin1000Examples() {
        // Shifts at 5,000 (location), 10,000 (spread) and 15,000 (back); the concept is unchanged.
        for (long seed = 1; seed <= 5; seed++) {
            ShiftMonitor m = new ShiftMonitor(DEFAULTS, 10, 2, seed);
            List<ShiftReport> alarms = ShiftStreams.run(m, seed, 20_000, ShiftStreams.threeShifts(), i -> 0.3);
            assertThat(alarms).as("seed %d", seed).hasSize(3);
            for (int k = 0; k < 3; k++) {
                long change = 5_000L * (k + 1);
                ShiftReport r = alarms.get(k);
                assertThat(r.position()).as("seed %d shift %d", seed, k).isGreaterThan(change).isLessThanOrEqualTo(change + 1000);
                assertThat(r.recent()).isEqualTo(new Window(r.position() - 500, r.position()));
                // Either input signal may cross first; the outputs did not move.
                assertThat(drifted(r)).isNotEmpty().isSubsetOf(Signal.INPUTS, Signal.INPUTS_MMD);
            }
            // FIRST: after a shift the reference is re-learned from the examples that follow it.
            assertThat(alarms.get(0).reference()).isEqualTo(new Window(0, 500));
            long after = alarms.get(0).position();
            assertThat(alarms.get(1).reference()).isEqualTo(new Window(after, after + 500));
        }
    }

    @Test
    void perFeatureReportsNameTheShiftedFeatures() {
        // Only features 2 and 5 of 8 move (by 0.3); the share rule needs 4 of 8, the MMD fires.
        ShiftMonitor m = new ShiftMonitor(DEFAULTS, 8, 2, 7);
        ShiftStreams.Inputs inputs = (r, i) -> {
            float[] x = ShiftStreams.uniform(8).next(r, i);
            if (i >= 3000) {
                x[2] += 0.3f;
                x[5] += 0.3f;
            }
            return x;
        };
        List<ShiftReport> alarms = ShiftStreams.run(m, 7, 5000, inputs, i -> 0.3);
        assertThat(alarms).isNotEmpty();
        ShiftReport r = alarms.get(0);
        assertThat(r.position()).isBetween(3001L, 4000L);
        Signal s = r.signal(Signal.INPUTS);
        assertThat(s.drift()).isFalse();
        assertThat(s.score()).isEqualTo(0.25);
        assertThat(s.features().subList(0, 2)).extracting(FeatureShift::feature).containsExactlyInAnyOrder(2, 5);
        assertThat(s.features().subList(0, 2)).allSatisfy(f -> {
            assertThat(f.drift()).isTrue();
            assertThat(f.pValue()).isLessThan(m.featureSignificance());
            assertThat(f.wasserstein()).isGreaterThan(0.1);
            assertThat(f.psi()).isGreaterThan(0.1);
            assertThat(f.jensenShannon()).isGreaterThan(0.1);
        });
        assertThat(s.features().subList(2, 8)).noneMatch(FeatureShift::drift);
    }

    @Test
    void multivariateSignalSeesACorrelationChangeTheMarginalsHide() {
        // Three uniform features; from 5,000 on feature 1 equals feature 0: every marginal stays
        // uniform, the joint distribution collapses onto a plane.
        ShiftStreams.Inputs inputs = (r, i) -> {
            float[] x = ShiftStreams.uniform(3).next(r, i);
            if (i >= 5000) {
                x[1] = x[0];
            }
            return x;
        };
        for (long seed = 1; seed <= 5; seed++) {
            ShiftMonitor m = new ShiftMonitor(DEFAULTS, 3, 2, seed);
            List<ShiftReport> alarms = ShiftStreams.run(m, seed, 7000, inputs, i -> 0.3);
            assertThat(alarms).as("seed %d", seed).isNotEmpty();
            ShiftReport r = alarms.get(0);
            assertThat(r.position()).as("seed %d", seed).isBetween(5001L, 6000L);
            assertThat(drifted(r)).as("seed %d", seed).containsExactly(Signal.INPUTS_MMD);
            assertThat(r.signal(Signal.INPUTS).features()).noneMatch(FeatureShift::drift);
        }
    }

    /** First report of a stream whose P(y = 1) goes from 0.3 to 0.7 at 5,000 (inputs unchanged). */
    private static ShiftReport firstAfterPriorChange(long seed, boolean predictions, boolean labels) {
        ShiftMonitor m = new ShiftMonitor(DEFAULTS.withPredictionAlarm(true), 5, 2, seed);
        Random r = new Random(seed);
        for (int i = 0; i < 7000; i++) {
            double y = r.nextDouble() < (i < 5000 ? 0.3 : 0.7) ? 1 : 0;
            double prediction = r.nextDouble() < 0.8 ? y : 1 - y;
            double label = r.nextDouble() < 0.5 ? y : Double.NaN; // half the examples labelled
            ShiftReport rep = m.observe(ShiftStreams.uniform(5).next(r, i), predictions ? prediction : Double.NaN,
                    labels ? label : Double.NaN);
            if (rep != null) {
                return rep;
            }
        }
        return null;
    }

    @Test
    void predictionAndLabelDriftWhenClassPriorsChange() {
        for (long seed = 1; seed <= 5; seed++) {
            // Predictions only (P(prediction = 1): 0.38 -> 0.62).
            ShiftReport p = firstAfterPriorChange(seed, true, false);
            assertThat(p).as("seed %d", seed).isNotNull();
            assertThat(p.position()).as("seed %d", seed).isBetween(5001L, 5500L);
            assertThat(drifted(p)).as("seed %d", seed).containsExactly(Signal.PREDICTION);
            assertThat(p.signal(Signal.PREDICTION).test()).isEqualTo("chi2");
            assertThat(p.signal(Signal.LABEL)).isNull();
            // Labels only (half the examples carry one).
            ShiftReport l = firstAfterPriorChange(seed, false, true);
            assertThat(l).as("seed %d", seed).isNotNull();
            assertThat(l.position()).as("seed %d", seed).isBetween(5001L, 5500L);
            assertThat(drifted(l)).as("seed %d", seed).containsExactly(Signal.LABEL);
            assertThat(l.signal(Signal.PREDICTION)).isNull();
            // Both: whichever crosses first, the inputs stay quiet.
            ShiftReport b = firstAfterPriorChange(seed, true, true);
            assertThat(b.position()).as("seed %d", seed).isBetween(5001L, 5500L);
            assertThat(drifted(b)).as("seed %d", seed).isNotEmpty().isSubsetOf(Signal.PREDICTION, Signal.LABEL);
        }
    }

    @Test
    void byDefaultPredictionDriftAloneIsReportedButIsNotAShift() {
        // A learning model's predictions move with nothing else moving: the default reports it and raises nothing.
        ShiftMonitor m = new ShiftMonitor(DEFAULTS, 5, 2, 3);
        Random r = new Random(3);
        boolean reported = false;
        for (int i = 0; i < 7000; i++) {
            double y = r.nextDouble() < (i < 5000 ? 0.3 : 0.7) ? 1 : 0;
            assertThat(m.observe(ShiftStreams.uniform(5).next(r, i), y, Double.NaN)).as("example %d", i).isNull();
            ShiftReport latest = m.latest();
            if (latest != null && latest.position() == m.position() && latest.signal(Signal.PREDICTION).drift()) {
                reported = true;
                assertThat(latest.drift()).isFalse();
            }
        }
        assertThat(reported).as("the prediction signal's drift is in the checks' reports").isTrue();
    }

    @Test
    void realValuedPredictionDriftIsTestedLikeANumericFeature() {
        ShiftMonitor m = new ShiftMonitor(DEFAULTS.withPredictionAlarm(true), 2, 0, 11);
        Random r = new Random(11);
        ShiftReport first = null;
        for (int i = 0; i < 8000 && first == null; i++) {
            float[] x = {r.nextFloat(), r.nextFloat()};
            double prediction = r.nextGaussian() + (i < 5000 ? 0 : 0.5);
            first = m.observe(x, prediction, Double.NaN);
        }
        assertThat(first).isNotNull();
        assertThat(first.position()).isBetween(5001L, 6000L);
        Signal p = first.signal(Signal.PREDICTION);
        assertThat(p.drift()).isTrue();
        assertThat(p.test()).isEqualTo("ks");
        assertThat(p.features().get(0).statistic()).isGreaterThan(0.1);
        assertThat(first.signal(Signal.LABEL)).isNull();
    }

    @Test
    void slidingReferenceDetectsAShiftThenStaysQuiet() {
        ShiftMonitor.Settings sliding = DEFAULTS.withReference(ShiftMonitor.Reference.SLIDING);
        ShiftStreams.Inputs inputs = (r, i) -> {
            float[] x = ShiftStreams.uniform(10).next(r, i);
            if (i >= 5000) {
                for (int j = 0; j < x.length; j++) {
                    x[j] += 0.3f;
                }
            }
            return x;
        };
        for (long seed = 1; seed <= 5; seed++) {
            ShiftMonitor m = new ShiftMonitor(sliding, 10, 2, seed);
            List<ShiftReport> alarms = ShiftStreams.run(m, seed, 20_000, inputs, i -> 0.3);
            assertThat(alarms).as("seed %d", seed).hasSize(1);
            ShiftReport r = alarms.get(0);
            assertThat(r.position()).isBetween(5001L, 6000L);
            // The reference is the 500 examples just before the recent window.
            assertThat(r.reference()).isEqualTo(new Window(r.position() - 1000, r.position() - 500));
            assertThat(m.latest().reference()).isEqualTo(new Window(19_000, 19_500));
        }
    }

    @Test
    void firstCheckWindowsAndSmallReports() {
        ShiftMonitor m = new ShiftMonitor(DEFAULTS, 30, 3, 1);
        Random r = new Random(1);
        for (int i = 0; i < 999; i++) {
            assertThat(m.observe(ShiftStreams.uniform(30).next(r, i), r.nextInt(3), Double.NaN)).isNull();
            assertThat(m.latest()).isNull();
        }
        m.observe(ShiftStreams.uniform(30).next(r, 999), 0, Double.NaN);
        ShiftReport first = m.latest();
        assertThat(m.position()).isEqualTo(1000);
        assertThat(first.position()).isEqualTo(1000);
        assertThat(first.reference()).isEqualTo(new Window(0, 500));
        assertThat(first.recent()).isEqualTo(new Window(500, 1000));
        // 30 features, 10 listed, strongest evidence (smallest p-value) first.
        List<FeatureShift> fs = first.signal(Signal.INPUTS).features();
        assertThat(fs).hasSize(10);
        for (int k = 1; k < fs.size(); k++) {
            assertThat(fs.get(k).pValue()).isGreaterThanOrEqualTo(fs.get(k - 1).pValue());
        }
        assertThat(first.signal(Signal.LABEL)).isNull(); // no labels at all
    }

    @Test
    void rejectsBadExamplesWithoutChangingState() {
        ShiftMonitor m = new ShiftMonitor(DEFAULTS, 3, 4, 1);
        m.observe(new float[] {1, 2, 3}, 1, 2);
        byte[] before = m.toBytes();
        assertThatThrownBy(() -> m.observe(new float[] {1, 2}, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.observe(new float[] {1, 2, 3}, 4, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.observe(new float[] {1, 2, 3}, 1, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.observe(new float[] {1, 2, 3}, -1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(m.toBytes()).isEqualTo(before);
        assertThat(m.position()).isEqualTo(1);
        // Missing values are allowed.
        m.observe(new float[] {Float.NaN, 2, Float.POSITIVE_INFINITY}, Double.NaN, Double.NaN);
        assertThat(m.position()).isEqualTo(2);
    }

    @Test
    void validatesSettings() {
        assertThatThrownBy(() -> new ShiftMonitor.Settings(450, 100, 5, 10, 0.5, 0.05, 1e6, 100, 32,
                ShiftMonitor.Reference.FIRST)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShiftMonitor.Settings(500, 100, 5, 1, 0.5, 0.05, 1e6, 100, 32,
                ShiftMonitor.Reference.FIRST)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShiftMonitor.Settings(500, 100, 5, 10, 0, 0.05, 1e6, 100, 32,
                ShiftMonitor.Reference.FIRST)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShiftMonitor.Settings(500, 100, 5, 10, 0.5, 0.05, 50, 100, 32,
                ShiftMonitor.Reference.FIRST)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShiftMonitor(DEFAULTS, 0, 2, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShiftMonitor(DEFAULTS, 3, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void perFeatureSignificanceIsLoweredOnlyWhenTheShareRuleWouldExceedItsBudget() {
        // Ten features, half must drift: P(Bin(10, 0.05) >= 5) = 6.4e-5 is within 2.5e-4.
        assertThat(ShiftMonitor.calibratedSignificance(10, 0.5, 0.05, 2.5e-4)).isEqualTo(0.05);
        // ... but not within 2.5e-5 (the defaults' budget per signal): lowered to meet it exactly.
        double s = ShiftMonitor.calibratedSignificance(10, 0.5, 0.05, 2.5e-5);
        assertThat(s).isLessThan(0.05);
        assertThat(ShiftMonitor.binomialTail(10, 5, s)).isCloseTo(2.5e-5, within(1e-9));
        // One feature: the rule is that feature's test, so its significance is the budget.
        assertThat(ShiftMonitor.calibratedSignificance(1, 0.5, 0.05, 2.5e-5)).isCloseTo(2.5e-5, within(1e-12));
        assertThat(new ShiftMonitor(DEFAULTS, 10, 2, 1).featureSignificance()).isCloseTo(s, within(1e-12));
    }
}
