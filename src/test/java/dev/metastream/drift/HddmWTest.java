package dev.metastream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** HDDM_W-specific behaviour on top of the generic {@link DriftDetectorContract}. */
class HddmWTest extends DriftDetectorContract {

    @Override
    protected DriftDetector newDetector() {
        return new HddmW();
    }

    @Override
    protected int updatesBeforeFirstPossibleDetection() {
        return 1; // the after-cut average needs a value after the first
    }

    @Override
    protected String expectedName() {
        return "hddm-w";
    }

    @Test
    void publishedExampleDetectsAbout11AfterTheChange() {
        // p 0.3 -> 0.7 at example 501; the reference sheet gives HDDM_W detecting at about 511, the fastest of the
        // three. Observed over seeds 1..20: delays 5..37, mean 16.3, median 14; no alarm before the change.
        int sum = 0;
        for (long seed = 1; seed <= 20; seed++) {
            BernoulliRuns.Change c = BernoulliRuns.published(HddmW::new, seed);
            assertThat(c.delay()).as("seed %d", seed).isBetween(0, 60);
            assertThat(c.earlyAlarms()).as("seed %d", seed).isZero();
            sum += c.delay();
        }
        assertThat(sum / 20.0).isBetween(5.0, 30.0);
    }

    @Test
    void falseAlarmsOnAStationaryStreamAreBounded() {
        // 20 seeds x 10,000 values of Bernoulli(0.3). Observed: 76 alarms (3.8 per 10,000, 2 to 9 per seed): the
        // price of the fast EWMA; the "before" average is taken at a minimum, so noise crosses the bound now and then.
        int alarms = 0;
        for (long seed = 1; seed <= 20; seed++) {
            int a = BernoulliRuns.falseAlarms(new HddmW(), seed, 0.3, 10_000);
            assertThat(a).as("seed %d", seed).isLessThanOrEqualTo(12);
            alarms += a;
        }
        assertThat(alarms).isLessThanOrEqualTo(100);
    }

    @Test
    void weightSumFollowsTheRecursion() {
        // One value: D = λ² + (1-λ)² · 1; the estimation is the value itself (the first value starts the EWMA).
        HddmW h = new HddmW();
        h.update(1);
        assertThat(h.statistics().get("estimation")).isEqualTo(1.0);
        h.update(0);
        assertThat(h.statistics().get("estimation")).isCloseTo(0.95, within(1e-12));
    }

    @Test
    void oneSidedIgnoresADecreaseTwoSidedFindsIt() {
        // The one-sided test does not see the drop (it may still raise its usual false alarms later: observed, the
        // first one 356 or more values after the change on these seeds), the two-sided one sees it at once.
        for (long seed = 1; seed <= 10; seed++) {
            assertThat(BernoulliRuns.change(new HddmW(), seed, 0.7, 0.3, 500, 600).delay()).isEqualTo(-1);
            BernoulliRuns.Change c = BernoulliRuns.change(new HddmW(0.001, 0.005, 0.05, true), seed, 0.7, 0.3, 500,
                    3000);
            assertThat(c.delay()).as("seed %d", seed).isBetween(0, 60);
        }
    }

    @Test
    void fasterThanHddmAWhichIsFasterThanDdm() {
        // The order the paper and the reference sheet report on the published example, on the same 20 streams.
        int w = 0;
        int a = 0;
        int d = 0;
        for (long seed = 1; seed <= 20; seed++) {
            w += BernoulliRuns.published(HddmW::new, seed).delay();
            a += BernoulliRuns.published(HddmA::new, seed).delay();
            d += BernoulliRuns.published(Ddm::new, seed).delay();
        }
        assertThat(w).isLessThan(a);
        assertThat(a).isLessThan(d);
    }
}
