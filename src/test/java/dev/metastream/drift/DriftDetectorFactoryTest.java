package dev.metastream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link DriftDetector#create} and {@link DriftDetector#fromBytes} dispatch. */
class DriftDetectorFactoryTest {

    @Test
    void createsEachDetectorCaseInsensitively() {
        assertThat(DriftDetector.create("adwin", Map.of())).isInstanceOf(Adwin.class);
        assertThat(DriftDetector.create(" ADWIN ", null)).isInstanceOf(Adwin.class);
        assertThat(DriftDetector.create("Page-Hinkley", Map.of())).isInstanceOf(PageHinkley.class);
        assertThat(DriftDetector.create("none", Map.of())).isInstanceOf(NoDrift.class);
    }

    @Test
    void unknownNameListsAllowedNames() {
        assertThatThrownBy(() -> DriftDetector.create("ddm", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ddm")
                .hasMessageContaining("adwin")
                .hasMessageContaining("page-hinkley")
                .hasMessageContaining("none");
        assertThatThrownBy(() -> DriftDetector.create(null, Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parametersAreApplied() {
        DriftDetector adwin = DriftDetector.create("adwin", Map.of("delta", "0.01", "clock", "1",
                "max_buckets", "3", "grace_period", "4", "min_window_length", "2"));
        assertThat(adwin.statistics()).containsEntry("delta", 0.01);
        assertThat(adwin.toBytes()).isEqualTo(new Adwin(0.01, 1, 3, 4, 2).toBytes());

        DriftDetector ph = DriftDetector.create("page-hinkley", Map.of("min_instances", "10",
                "delta", "0.01", "threshold", "20", "alpha", "1", "mode", "both"));
        assertThat(ph.toBytes()).isEqualTo(new PageHinkley(10, 0.01, 20, 1.0, PageHinkley.Mode.BOTH).toBytes());
        assertThat(((PageHinkley) ph).mode()).isEqualTo(PageHinkley.Mode.BOTH);
    }

    @Test
    void badParametersAreRejectedClearly() {
        assertThatThrownBy(() -> DriftDetector.create("adwin", Map.of("threshold", "3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threshold")
                .hasMessageContaining("delta");
        assertThatThrownBy(() -> DriftDetector.create("adwin", Map.of("delta", "abc")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delta");
        assertThatThrownBy(() -> DriftDetector.create("adwin", Map.of("delta", "2")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriftDetector.create("page-hinkley", Map.of("mode", "sideways")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("up, down, both");
        assertThatThrownBy(() -> DriftDetector.create("page-hinkley", Map.of("alpha", "1.5")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriftDetector.create("none", Map.of("delta", "0.1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromBytesRejectsUnknownTypeAndShortInput() {
        assertThatThrownBy(() -> DriftDetector.fromBytes(new byte[] {42, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type");
        assertThatThrownBy(() -> DriftDetector.fromBytes(new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DriftDetector.fromBytes(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void typeBytesAreStable() {
        // Persisted state depends on these; never renumber.
        assertThat(new NoDrift().toBytes()[0]).isEqualTo((byte) 0);
        assertThat(new Adwin().toBytes()[0]).isEqualTo((byte) 1);
        assertThat(new PageHinkley().toBytes()[0]).isEqualTo((byte) 2);
    }
}
