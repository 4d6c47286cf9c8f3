package dev.metastream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** HDDM_A-specific behaviour on top of the generic {@link DriftDetectorContract}. */
class HddmATest extends DriftDetectorContract {

    @Override
    protected DriftDetector newDetector() {
        return new HddmA();
    }

    @Override
    protected int updatesBeforeFirstPossibleDetection() {
        return 1; // the first value is its own cut point
    }

    @Override
    protected String expectedName() {
        return "hddm-a";
    }

    @Test
    void publishedExampleDetectsAbout17AfterTheChange() {
        // p 0.3 -> 0.7 at example 501; the reference sheet gives HDDM_A detecting at about 517. Observed over seeds
        // 1..20: delays 6..74, mean 22.4, median 17; no alarm before the change.
        int sum = 0;
        for (long seed = 1; seed <= 20; seed++) {
            BernoulliRuns.Change c = BernoulliRuns.published(HddmA::new, seed);
            assertThat(c.delay()).as("seed %d", seed).isBetween(0, 120);
            assertThat(c.earlyAlarms()).as("seed %d", seed).isZero();
            sum += c.delay();
        }
        assertThat(sum / 20.0).isBetween(10.0, 40.0);
    }

    @Test
    void rarelyFalseAlarmsOnAStationaryStream() {
        // 20 seeds x 10,000 values of Bernoulli(0.3). Observed: 5 alarms in all.
        int alarms = 0;
        for (long seed = 1; seed <= 20; seed++) {
            alarms += BernoulliRuns.falseAlarms(new HddmA(), seed, 0.3, 10_000);
        }
        assertThat(alarms).isLessThanOrEqualTo(8);
    }

    @Test
    void oneSidedIgnoresADecreaseTwoSidedFindsIt() {
        for (long seed = 1; seed <= 10; seed++) {
            assertThat(BernoulliRuns.change(new HddmA(), seed, 0.7, 0.3, 500, 3000).delay()).isEqualTo(-1);
            BernoulliRuns.Change c = BernoulliRuns.change(new HddmA(0.001, 0.005, true), seed, 0.7, 0.3, 500, 3000);
            assertThat(c.delay()).as("seed %d", seed).isBetween(0, 120);
        }
    }

    @Test
    void estimationIsTheMeanAfterTheCutPoint() {
        HddmA h = new HddmA();
        Random r = new Random(3);
        for (int i = 0; i < 2000 && !h.driftDetected(); i++) {
            h.update(r.nextDouble() < (i < 1000 ? 0.1 : 0.9) ? 1 : 0);
        }
        assertThat(h.driftDetected()).isTrue();
        // The cut point lags the change (observed: cut at 745 of 1,031 values, the change at 1,000), so the values
        // after it mix both concepts; their mean is still well above the mean before the cut.
        Map<String, Double> s = h.statistics();
        double n = s.get("n");
        double cut = s.get("cut");
        assertThat(cut).isLessThan(n);
        double after = (s.get("mean") * n - s.get("cut_mean") * cut) / (n - cut);
        assertThat(s.get("estimation")).isCloseTo(after, within(1e-9));
        assertThat(s.get("estimation")).isGreaterThan(2 * s.get("cut_mean"));
        assertThat(s.get("cut_mean")).isCloseTo(0.1, within(0.03));
    }

    @Test
    void valuesOutsideTheUnitIntervalAreClamped() {
        HddmA a = new HddmA();
        HddmA b = new HddmA();
        Random r = new Random(5);
        for (int i = 0; i < 500; i++) {
            double x = r.nextDouble() * 4 - 2;
            a.update(x);
            b.update(Math.max(0, Math.min(1, x)));
        }
        assertThat(a.toBytes()).isEqualTo(b.toBytes());
    }
}
