package dev.metastream.drift;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link NoDrift} under the generic {@link DriftDetectorContract}. */
class NoDriftTest extends DriftDetectorContract {

    @Override
    protected DriftDetector newDetector() {
        return new NoDrift();
    }

    @Override
    protected int updatesBeforeFirstPossibleDetection() {
        return 10_000; // never
    }

    @Override
    protected String expectedName() {
        return "none";
    }

    @Override
    protected boolean warns() {
        return false;
    }

    @Test
    void neverFires() {
        DriftDetector d = new NoDrift();
        assertThat(detections(d, switchingBernoulli(1, 10_000), 0, 10_000)).isEmpty();
        assertThat(warnings(new NoDrift(), switchingBernoulli(1, 10_000), 0, 10_000)).doesNotContain(true);
        assertThat(d.statistics()).containsEntry("count", 10_000.0);
    }
}
