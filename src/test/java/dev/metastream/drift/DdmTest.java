package dev.metastream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** DDM-specific behaviour on top of the generic {@link DriftDetectorContract}. */
class DdmTest extends DriftDetectorContract {

    @Override
    protected DriftDetector newDetector() {
        return new Ddm();
    }

    @Override
    protected int updatesBeforeFirstPossibleDetection() {
        return Ddm.DEFAULT_WARM_START; // fires only once n > warm start
    }

    @Override
    protected String expectedName() {
        return "ddm";
    }

    @Test
    void handWorkedExample() {
        // warm start 0, thresholds 1 and 2. Values 0 1 0 1 then 1 1:
        // n=1 p=0 s=0: min (0, 0). n=2 p=.5 s=.3536: .8536 > 0 + 2*0 -> drift, and resets on the next value.
        Ddm ddm = new Ddm(0, 1.0, 2.0);
        ddm.update(0);
        assertThat(ddm.driftDetected()).isFalse();
        assertThat(ddm.statistics()).containsEntry("p_min", 0.0).containsEntry("s_min", 0.0);
        ddm.update(1);
        assertThat(ddm.driftDetected()).isTrue();
        assertThat(ddm.statistics().get("p")).isEqualTo(0.5);
        assertThat(ddm.statistics().get("estimation")).as("the values since the minimum: one 1").isEqualTo(1.0);
        // After the self-reset: 1, 0, 0, 0 -> p falls: 1 (min 1, 0), .5+.3536=.8536 <= 1 (new min), then lower again.
        ddm.update(1);
        assertThat(ddm.driftDetected()).isFalse();
        assertThat(ddm.statistics()).containsEntry("n", 1.0).containsEntry("p", 1.0).containsEntry("detections", 1.0);
        ddm.update(0);
        assertThat(ddm.statistics().get("p_min")).isEqualTo(0.5);
        assertThat(ddm.statistics().get("s_min")).isCloseTo(Math.sqrt(0.125), within(1e-12));
        // n=3 p=1/3 s=.2722: .6055 <= .8536 -> new min; a 1 then: n=4 p=.5 s=.25: .75 vs .3333+.2722 = .6055:
        // above p_min + 1 s_min (.6055) -> warning; below p_min + 2 s_min (.8777) -> no drift.
        ddm.update(0);
        ddm.update(1);
        assertThat(ddm.warningDetected()).isTrue();
        assertThat(ddm.driftDetected()).isFalse();
    }

    @Test
    void publishedExampleDetectsAbout60AfterTheChange() {
        // p 0.3 -> 0.7 at example 501; the reference sheet gives DDM detecting at about 560. Observed over seeds 1..20:
        // delays 16..180, mean 62.0, median 52; 2 alarms before the change (among the first values, where p_min and
        // s_min rest on few values).
        int sum = 0;
        int early = 0;
        for (long seed = 1; seed <= 20; seed++) {
            BernoulliRuns.Change c = BernoulliRuns.published(Ddm::new, seed);
            assertThat(c.delay()).as("seed %d", seed).isBetween(0, 250);
            sum += c.delay();
            early += c.earlyAlarms();
        }
        assertThat(sum / 20.0).isBetween(30.0, 100.0);
        assertThat(early).isLessThanOrEqualTo(3);
    }

    @Test
    void rarelyFalseAlarmsOnAStationaryStream() {
        // 20 seeds x 10,000 values of Bernoulli(0.3). Observed: 3 alarms in all.
        int alarms = 0;
        for (long seed = 1; seed <= 20; seed++) {
            alarms += BernoulliRuns.falseAlarms(new Ddm(), seed, 0.3, 10_000);
        }
        assertThat(alarms).isLessThanOrEqualTo(5);
    }
}
