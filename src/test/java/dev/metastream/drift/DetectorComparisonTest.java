package dev.metastream.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The scoring of {@link DetectorComparison}: deterministic, with detectors whose behaviour is known. */
class DetectorComparisonTest {

    private static final DetectorComparison.Scenario BIG = new DetectorComparison.Scenario("big", 0.1, 0.9, 4000, 1000);

    /** Fires at fixed indices, whatever the data. */
    private static Supplier<DriftDetector> firingAt(int... at) {
        return () -> new DriftDetector() {
            private int i = -1;
            private boolean fired;

            @Override
            public void update(double value) {
                i++;
                fired = false;
                for (int a : at) {
                    fired |= a == i;
                }
            }

            @Override
            public boolean driftDetected() {
                return fired;
            }

            @Override
            public boolean warningDetected() {
                return false;
            }

            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public Map<String, Double> statistics() {
                return Map.of("i", (double) i);
            }

            @Override
            public void reset() {
                i = -1;
            }

            @Override
            public byte[] toBytes() {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void scenarioChangePointsAlternateRiseAndFall() {
        assertThat(BIG.changes()).containsExactly(1000, 2000, 3000);
        assertThat(DetectorComparison.SCENARIOS.get(0).changes()).containsExactly(2000, 4000, 6000, 8000);
        double[] xs = DetectorComparison.stream(BIG, 1, 0);
        double before = 0;
        double after = 0;
        for (int i = 0; i < 1000; i++) {
            before += xs[i];
            after += xs[1000 + i];
        }
        assertThat(before / 1000).isBetween(0.05, 0.15);
        assertThat(after / 1000).isBetween(0.85, 0.95);
        assertThat(DetectorComparison.stream(BIG, 1, 0)).isEqualTo(xs);
        assertThat(DetectorComparison.stream(BIG, 1, 1)).isNotEqualTo(xs);
    }

    @Test
    void aDetectorThatNeverFiresMissesEverythingWithoutFalseAlarms() {
        DetectorComparison.Result r = DetectorComparison.run(List.of(BIG), Map.of("none", NoDrift::new), 5, 1, 500)
                .get(0);
        assertThat(r.rises()).isEqualTo(10); // changes at 1000 (rise), 2000 (fall), 3000 (rise), 5 streams
        assertThat(r.falls()).isEqualTo(5);
        assertThat(r.risesFound()).isZero();
        assertThat(r.risesMissed()).isEqualTo(10);
        assertThat(r.falseAlarms()).isZero();
        assertThat(r.meanDelay()).isNaN();
    }

    @Test
    void scoringCountsTheFirstDetectionPerChangeAndTheRestAsFalseAlarms() {
        // Detections at 500 (before any change: false), 1010 and 1020 (rise found after 10; the second is false),
        // 2600 (more than 500 after the fall: false), 3000 (rise found after 0).
        Map<String, Supplier<DriftDetector>> d = new LinkedHashMap<>();
        d.put("scripted", firingAt(500, 1010, 1020, 2600, 3000));
        DetectorComparison.Result r = DetectorComparison.run(List.of(BIG), d, 2, 1, 500).get(0);
        assertThat(r.risesFound()).isEqualTo(4);
        assertThat(r.fallsFound()).isZero();
        assertThat(r.meanDelay()).isEqualTo(5.0);
        assertThat(r.medianDelay()).isEqualTo(5.0);
        assertThat(r.falseAlarms()).isEqualTo(6);
        assertThat(r.falseAlarmsPer10k()).isEqualTo(6 * 10_000.0 / 8000);
    }

    @Test
    void adwinFindsALargeAbruptChangeAndTheOneSidedDetectorsOnlyRises() {
        Map<String, Supplier<DriftDetector>> d = new LinkedHashMap<>();
        d.put("adwin", () -> new Adwin(0.002, 1, 5, 10, 5));
        d.put("hddm-a", HddmA::new);
        List<DetectorComparison.Result> rs = DetectorComparison.run(List.of(BIG), d, 10, 3, 1000);
        DetectorComparison.Result adwin = rs.get(0);
        assertThat(adwin.risesFound()).isEqualTo(20);
        assertThat(adwin.fallsFound()).isEqualTo(10);
        assertThat(adwin.meanDelay()).isLessThan(60); // observed 0.1 -> 0.9 delays are a few dozen values
        DetectorComparison.Result hddm = rs.get(1);
        assertThat(hddm.risesFound()).isEqualTo(20);
        assertThat(hddm.fallsFound()).isZero();
    }
}
